/**
 * WebSocket upgrades: after routing, rate limits and authorization like any request, the gateway opens a TCP
 * connection to a balanced server, replays the (rewritten) upgrade request and then pipes bytes both
 * ways until either side closes or the tunnel is idle for `timeouts.tunnel`.
 */
import type { ClientRequest } from '../http1/index.js';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { AuthAllow, AuthDecision } from '../auth/index.js';
import type { UpstreamServer } from '../health/index.js';
import { MESSAGES, sendRawAndClose } from '../listen/local-response.js';
import type { FrontendRuntime, RouteTarget } from '../runtime/generation.js';
import { connectOptions } from '../tls/upstream-tls.js';
import type { ConnectionInfo } from '../tls/connection-info.js';
import { hashKey } from '../balance/index.js';
import { upstreamRequestHeaders } from './headers.js';
import type { LimitVerdict, RateLimiter } from '../limit/index.js';
import { sourceAddress } from '../listen/source-rules.js';

export class Tunnel {
  private readonly runtime: FrontendRuntime;
  private readonly target: RouteTarget;
  private readonly req: ClientRequest;
  private readonly socket: Socket;
  private readonly head: Buffer;
  private readonly path: string;
  private readonly upstreamPath: string;
  private readonly client: string;
  private readonly trusted: boolean;
  private readonly connection: ConnectionInfo | undefined;
  private readonly started = performance.now();
  private server: UpstreamServer | undefined;
  private upstream: Socket | undefined;
  private status = 0;
  private bytes = 0;
  private subject: string | undefined;
  private done = false;

  constructor(runtime: FrontendRuntime, target: RouteTarget, req: ClientRequest, socket: Socket, head: Buffer, path: string, upstreamPath: string, client: string, trusted: boolean, connection?: ConnectionInfo) {
    this.connection = connection;
    this.runtime = runtime;
    this.target = target;
    this.req = req;
    this.socket = socket;
    this.head = head;
    this.path = path;
    this.upstreamPath = upstreamPath;
    this.client = client;
    this.trusted = trusted;
    runtime.generation.active++;
    socket.on('error', () => this.close(undefined));
  }

  run(): void {
    this.admit().then(
      (allow) => {
        if (allow !== false && !this.done) this.open(allow);
      },
      () => {
        if (this.done) return;
        sendRawAndClose(this.socket, 500, MESSAGES.authError);
        this.status = 500;
        this.close('auth policy threw');
      },
    );
  }

  /** Rate limit and authorization, as for any request: what to forward, or false once refused. */
  private async admit(): Promise<AuthAllow | undefined | false> {
    const limiter = this.target.rateLimit;
    const source = limiter === undefined ? '' : sourceAddress(this.client, this.trusted, this.req.headers['x-forwarded-for'], this.runtime.generation.trustedProxies);
    if (limiter !== undefined && limiter.beforeAuth) {
      const key = limiter.key;
      if (!this.limitAdmits(limiter, await limiter.check(source, key.kind === 'header' ? this.req.headers[key.header] : undefined, undefined))) return false;
    }
    const policy = this.target.policy;
    let allow: AuthAllow | undefined;
    if (policy !== undefined) {
      const decision: AuthDecision = await policy.authorize({ method: this.req.method as string, path: this.path, headers: this.req.headers }, this.target.requirements);
      if (!decision.ok) {
        this.runtime.generation.context.metrics.authDenied.labels(this.target.frontend, policy.name, decision.reason).inc();
        sendRawAndClose(this.socket, decision.status, decision.body, decision.headers);
        this.status = decision.status;
        this.close(`auth: ${decision.reason}`);
        return false;
      }
      this.subject = decision.subject;
      allow = decision;
    }
    if (limiter !== undefined && !limiter.beforeAuth && !this.limitAdmits(limiter, await limiter.check(source, undefined, this.subject))) return false;
    return allow;
  }

  private limitAdmits(limiter: RateLimiter, verdict: LimitVerdict): boolean {
    if (verdict.allowed) return true;
    if (verdict.status === 429) {
      this.runtime.generation.context.metrics.rateLimited.labels(this.target.frontend, limiter.name).inc();
      sendRawAndClose(this.socket, 429, MESSAGES.rateLimited, { 'retry-after': String(verdict.retryAfterS) });
    } else sendRawAndClose(this.socket, 503, MESSAGES.rateLimitUnavailable);
    this.status = verdict.status;
    this.close(verdict.status === 429 ? `rate limited: ${limiter.name}` : `rate limit store unavailable: ${limiter.name}`);
    return false;
  }

  private open(allow: AuthAllow | undefined): void {
    const backend = this.target.backend;
    const headers = upstreamRequestHeaders(this.req.headers, this.client, this.trusted, allow, true, this.connection, this.target.requestHeaders);
    const server = backend.balancer.pick(undefined, backend.hashOn === undefined ? undefined : hashKey(backend.hashOn, this.client, this.path, headers));
    if (server === undefined) {
      sendRawAndClose(this.socket, 503, MESSAGES.noServer(this.target.backend.name));
      this.status = 503;
      return this.close('no server');
    }
    this.server = server;
    server.inflight++;
    const config = this.runtime.generation.config;
    let request = `${this.req.method} ${this.upstreamPath} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) request += `${headers[i]}: ${headers[i + 1]}\r\n`;
    request += '\r\n';
    const upstream = server.tls === undefined
      ? connect({ host: server.host, port: server.port })
      : tlsConnect({ host: server.host, port: server.port, ...connectOptions(server.tls, server.host), ALPNProtocols: ['http/1.1'] });
    this.upstream = upstream;
    upstream.setTimeout(config.timeouts.connect);
    upstream.once(server.tls === undefined ? 'connect' : 'secureConnect', () => {
      upstream.setTimeout(config.timeouts.tunnel);
      this.socket.setTimeout(config.timeouts.tunnel);
      upstream.write(request);
      if (this.head.length > 0) upstream.write(this.head);
      upstream.once('data', (chunk: Buffer) => {
        this.status = Number(chunk.toString('latin1', 9, 12)) || 0;
      });
      upstream.on('data', (chunk: Buffer) => {
        this.bytes += chunk.length;
      });
      upstream.pipe(this.socket);
      this.socket.pipe(upstream);
    });
    upstream.on('timeout', () => this.fail(upstream.connecting ? 504 : 0, 'timeout'));
    this.socket.on('timeout', () => this.close('idle'));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      server.recordFailure(error.code ?? 'error', false);
      this.fail(upstream.connecting || this.status === 0 ? 502 : 0, error.code ?? 'error');
    });
    upstream.on('close', () => this.close(undefined));
    this.socket.on('close', () => this.close(undefined));
  }

  private fail(status: number, reason: string): void {
    if (status !== 0 && this.status === 0) {
      sendRawAndClose(this.socket, status, status === 504 ? MESSAGES.gatewayTimeout : MESSAGES.badGateway);
      this.status = status;
    }
    this.close(reason);
  }

  private close(error: string | undefined): void {
    if (this.done) return;
    this.done = true;
    this.runtime.generation.active--;
    if (this.server !== undefined) this.server.inflight--;
    this.upstream?.destroy();
    if (!this.socket.writableEnded) this.socket.destroySoon();
    const seconds = (performance.now() - this.started) / 1000;
    this.target.metrics.record(this.status, seconds);
    this.runtime.generation.context.accessLog({
      method: this.req.method as string, path: this.path, status: this.status, bytes: this.bytes,
      duration_ms: Math.round(seconds * 1e6) / 1e3, frontend: this.target.frontend, route: this.target.label,
      backend: this.target.backend.name, server: this.server?.name, client: this.client, sub: this.subject, error,
    });
  }
}
