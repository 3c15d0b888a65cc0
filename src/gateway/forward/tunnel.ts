/**
 * Tunnel stage of an upgrade (WebSocket): the upstream answered `101` with a matching Upgrade, so the
 * client gets its 101 (hop-by-hop headers filtered, the Connection/Upgrade pair restored), the bytes each
 * side sent past its head go to the other, and from then on bytes are piped both ways until either side
 * closes or the tunnel is idle for `timeouts.tunnel`. Until that 101, nothing the client sent after the
 * upgrade request left the gateway (held by the server: contract C1).
 */
import type { Socket } from 'node:net';
import type { ForwardState, GatewayRequest } from '../admit/gateway-request.js';
import type { UpstreamServer } from '../health/index.js';
import { MESSAGES } from '../listen/local-response.js';
import type { RouteTarget } from '../runtime/generation.js';
import { headerValue } from '../../shared/header-list.js';
import { responseHead } from './response-head.js';

export function switchToTunnel(request: GatewayRequest, target: RouteTarget, server: UpstreamServer, status: number, rawHeaders: string[], upstream: Socket, upstreamHead: Buffer): void {
  const asked = request.req.headers.upgrade;
  const offered = headerValue(rawHeaders, 'upgrade');
  const res = request.res;
  if (request.done || res.switchProtocols === undefined || res.headersSent || offered === undefined || typeof asked !== 'string' || offered.trim().toLowerCase() !== asked.trim().toLowerCase()) {
    upstream.destroy();
    server.inflight--;
    if (!request.done) request.answer(502, MESSAGES.badGateway, true, 'upstream switched to another protocol', server.name);
    return;
  }
  const headers = responseHead(request, target, rawHeaders);
  headers.push('Connection', 'Upgrade', 'Upgrade', offered);
  const { socket, head } = res.switchProtocols(headers);
  const tunnel = new Tunnel(request, server, socket, upstream, status);
  request.switched(tunnel);
  tunnel.open(head, upstreamHead);
}

class Tunnel implements ForwardState {
  private bytes = 0;
  private closed = false;

  constructor(
    private readonly request: GatewayRequest,
    private readonly server: UpstreamServer,
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly status: number,
  ) {}

  open(clientHead: Buffer, upstreamHead: Buffer): void {
    const { client, upstream } = this;
    const tunnels = this.request.tunnels;
    tunnels.add(client);
    client.once('close', () => tunnels.delete(client));
    const idle = this.request.runtime.generation.config.timeouts.tunnel;
    client.setTimeout(idle);
    upstream.setTimeout(idle);
    const close = (): void => this.close(undefined);
    const timeout = (): void => this.close('idle');
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.on('timeout', timeout);
    upstream.on('timeout', timeout);
    upstream.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
    });
    if (upstreamHead.length > 0) {
      this.bytes += upstreamHead.length;
      client.write(upstreamHead);
    }
    if (clientHead.length > 0) upstream.write(clientHead);
    upstream.pipe(client);
    client.pipe(upstream);
    upstream.resume();
    client.resume();
  }

  clientClosed(): void {
    this.close('client closed');
  }

  abort(): void {
    this.close('internal error');
  }

  private close(error: string | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.server.inflight--;
    this.upstream.destroy();
    if (!this.client.writableEnded) this.client.destroySoon();
    this.request.finish(this.status, this.bytes, error, this.server.name);
  }
}
