/**
 * One listening socket per frontend. Every request, upgrades included, goes through the admission
 * pipeline (src/gateway/admit); the handler reads the frontend's current runtime once per request, so a
 * reload swaps routing atomically: in-flight requests finish with the generation they started on, new
 * requests use the new one.
 */
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { admit } from '../admit/pipeline.js';
import type { GatewayConfig, HostPort } from '../config/index.js';
import type { FrontendRuntime } from '../runtime/generation.js';
import type { Logger } from '../../shared/logger.js';
import type { GatewayMetrics } from '../observe/index.js';
import { handleClientError } from './client-error.js';
import { createFrontendServer } from './frontend-server.js';
import { MESSAGES, sendLocal } from './local-response.js';
import { UpgradeResponse } from './upgrade-response.js';
import type { CertificateInfo, CertificateStore } from '../tls/certificate-store.js';
import { serverContextOptions, useSharedTicketKeys, type Http2Connections } from '../tls/tls-server.js';
import type { FrontendTlsConfig } from '../tls/schema.js';
import { NO_OCSP_OBSERVER, type OcspObserver } from '../tls/ocsp/index.js';
import type { ClientRequest, ClientResponse, Http1Server } from '../http1/index.js';
import type { TlsFrontendServer } from '../tls/tls-frontend-server.js';
import type { Server as TlsListener } from 'node:tls';

const kResponses = Symbol('gatehouse.responses');
type TrackedResponse = ClientResponse & { [kResponses]?: Set<ClientResponse> };

function untrack(this: TrackedResponse): void {
  this[kResponses]?.delete(this);
}

export class FrontendListener {
  readonly name: string;
  readonly bind: HostPort;
  runtime: FrontendRuntime;
  /**
   * The gateway's own HTTP/1.1 server: plain frontends, and TLS ones behind Node's TLS (with node:http2 for
   * `h2`). `server: node`: node:http, node:https or node:http2 with its HTTP/1.1 fallback.
   */
  private readonly server: Server | Http1Server | TlsFrontendServer;
  /** TLS frontends: the TLS listener, whose secure context a reload replaces. */
  private readonly tlsServer: TlsListener | undefined;
  /** node:http serves HTTP/1.1: answers during a drain need `Connection: close` set on each response. */
  private readonly nodeServer: boolean;
  private readonly logger: Logger;
  private draining = false;
  /** Upgraded (WebSocket) sockets: the HTTP server no longer manages them, so close() must. */
  private readonly tunnels = new Set<Socket>();
  /** Every open client connection (TCP), for the drain: node:http counts one that never sent a byte as busy. */
  private readonly sockets = new Set<Socket>();
  /** node:http-based: responses in progress, told to close their connection when a drain starts. */
  private readonly responses = new Set<ClientResponse>();
  /** TLS frontends: the certificates (SNI) and, with HTTP/2, the sessions to drain. */
  readonly certificates: CertificateStore | undefined;
  private readonly http2: Http2Connections | undefined;

  constructor(runtime: FrontendRuntime, bind: HostPort, config: GatewayConfig, logger: Logger, metrics: GatewayMetrics, ocsp?: OcspObserver) {
    this.name = runtime.name;
    this.bind = bind;
    this.runtime = runtime;
    this.logger = logger;
    const created = createFrontendServer(this.name, config, logger, ocsp ?? NO_OCSP_OBSERVER);
    this.server = created.server;
    this.nodeServer = created.node;
    this.certificates = created.certificates;
    this.tlsServer = created.tls;
    this.http2 = created.http2;
    this.applyTimeouts(config);
    this.server.on('request', this.onRequest);
    this.server.on('upgrade', this.onUpgrade);
    this.server.on('clientError', (error: Error, socket: Socket) => handleClientError(logger, this.name, error, socket, this.runtime.errorPages));
    const gauge = metrics.connections.labels(this.name);
    this.server.on('connection', (socket: Socket) => {
      gauge.inc();
      this.sockets.add(socket);
      socket.once('close', () => {
        gauge.dec();
        this.sockets.delete(socket);
      });
    });
  }

  /** Client-side timeouts and the connection limit; re-applied on reload (the header size limit needs a restart). */
  applyTimeouts(config: GatewayConfig): void {
    this.server.maxConnections = config.frontends[this.name]?.max_connections ?? Infinity;
    const t = config.timeouts;
    this.server.headersTimeout = t.http_request;
    this.server.keepAliveTimeout = t.keep_alive ?? t.client;
    this.server.timeout = Math.max(t.client, t.server) + 1_000;
  }

  /** Whether this listener can take `tls` on reload (plain ↔ TLS and HTTP/2 on/off need a new server). */
  sameTlsShape(tls: FrontendTlsConfig | undefined): boolean {
    const current = this.runtime.generation.config.frontends[this.name]?.tls;
    if (current === undefined || tls === undefined) return current === tls;
    return current.http2 === tls.http2 && (current.client_certificates?.mode ?? 'none') === (tls.client_certificates?.mode ?? 'none');
  }

  /** Reload: re-reads the certificates; a bad one keeps serving its previous version (logged). */
  applyTls(config: GatewayConfig): string[] {
    const tls = config.frontends[this.name]?.tls;
    if (this.certificates === undefined || this.tlsServer === undefined || tls === undefined) return [];
    const problems = this.certificates.reload(tls, config.baseDir);
    this.tlsServer.setSecureContext(serverContextOptions(this.certificates, config.tls_sessions));
    useSharedTicketKeys(this.tlsServer as unknown as Server, config.tls_sessions);
    return problems;
  }

  certificateInfo(): CertificateInfo[] {
    return this.certificates?.certificates() ?? [];
  }

  /**
   * In a cluster worker with `reuse_port` (and a fixed port: with port 0 every worker would get its own),
   * the worker opens its own SO_REUSEPORT socket: no connection passes through the primary, which would
   * otherwise accept each one and hand it over IPC (a round trip per connection: a socket per worker made
   * 30–50 % more TLS handshakes per second, docs/benchmarks.md). Node before 22.12 ignores the option (round robin).
   */
  listen(reusePort: boolean): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      const perWorker = reusePort && cluster.isWorker && this.bind.port !== 0;
      this.server.listen({ host: this.bind.host, port: this.bind.port, ...(perWorker ? { reusePort: true } : {}) }, () => {
        this.server.off('error', onError);
        // after binding, a server error (e.g. EMFILE on accept) is logged, never fatal
        this.server.on('error', (error: NodeJS.ErrnoException) => this.logger.error({ frontend: this.name, code: error.code }, 'frontend listener error'));
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  private readonly onRequest = (req: ClientRequest, res: ClientResponse): void => {
    if (this.draining) res.shouldKeepAlive = false;
    else if (this.nodeServer) this.track(res);
    try {
      admit(this.runtime, req, res, performance.now(), this.tunnels);
    } catch (error) {
      // a bug must cost one request, never the process
      this.logger.error({ frontend: this.name, err: { message: (error as Error)?.message, stack: (error as Error)?.stack } }, 'internal error handling a request');
      if (!res.headersSent) sendLocal(res, 500, MESSAGES.internalError, true);
      else res.destroy();
    }
  };

  /** node:http-based servers: `Connection: close` on every answer once a drain started (the own server does that itself). */
  private track(res: ClientResponse): void {
    (res as TrackedResponse)[kResponses] = this.responses;
    this.responses.add(res);
    res.on('close', untrack); // 'close' fires once; on() avoids once()'s per-call wrapper
  }

  /** node:http's upgrades (and the own server's, until it emits them as requests: contract C1) become a (req, res) pair. */
  private readonly onUpgrade = (req: ClientRequest, socket: Socket, head: Buffer): void => {
    try {
      if (req.upgrade !== true) Object.defineProperty(req, 'upgrade', { value: true });
      admit(this.runtime, req, new UpgradeResponse(req, socket, head), performance.now(), this.tunnels);
    } catch (error) {
      this.logger.error({ frontend: this.name, err: { message: (error as Error)?.message } }, 'internal error handling an upgrade');
      socket.destroy();
    }
  };

  /** Stops accepting; idle keep-alive connections close now, busy ones after their response. */
  close(): Promise<void> {
    this.draining = true;
    this.certificates?.close();
    for (const res of this.responses) if (!res.headersSent) res.shouldKeepAlive = false;
    this.responses.clear();
    return new Promise((resolve) => {
      // keep-alive connections become idle as their responses finish: close them as they do. A connection
      // that has sent nothing yet (a client's spare, or a pre-connect) has nothing to lose either, but
      // node:http treats it as a request in progress until its headers timeout, so it is closed here.
      const closeIdle = () => {
        if (this.http2 === undefined) this.server.closeIdleConnections();
        else this.http2.closeIdle();
        for (const socket of this.sockets) if (socket.bytesRead === 0) socket.destroy();
      };
      const sweep = setInterval(closeIdle, 50);
      this.server.close(() => {
        clearInterval(sweep);
        resolve();
      });
      closeIdle();
    });
  }

  /** Force-closes every remaining connection (after the drain timeout). */
  destroyConnections(): void {
    if (this.http2 === undefined) this.server.closeAllConnections();
    else this.http2.closeAll();
    for (const socket of this.tunnels) socket.destroy();
  }
}
