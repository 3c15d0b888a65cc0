/**
 * One listening socket per frontend. The request handler reads the frontend's current runtime once per
 * request, so a reload swaps routing atomically: in-flight requests finish with the generation they
 * started on, new requests use the new one.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GatewayConfig, HostPort } from '../config/index.js';
import { Exchange } from '../forward/exchange.js';
import { hasRequestBody } from '../forward/retry-policy.js';
import { clientAddress } from '../forward/headers.js';
import { Tunnel } from '../forward/tunnel.js';
import type { FrontendRuntime } from '../runtime/generation.js';
import type { Logger } from '../../shared/logger.js';
import type { GatewayMetrics } from '../observe/index.js';
import { handleClientError } from './client-error.js';
import { MESSAGES, sendLocal, sendRawAndClose } from './local-response.js';
import { checkAuthority, checkHost, hostName, parseTarget } from './request-target.js';
import { routedPath } from '../route/rewrite-prefix.js';
import { sourceAddress, sourceAllowed, type SourceRules } from './source-rules.js';
import { redirectLocation, sendAnswer } from './route-answer.js';
import { originAllowed, preflightHeaders } from '../forward/cors.js';
import { CertificateStore, type CertificateInfo } from '../tls/certificate-store.js';
import { connectionSocket, PLAIN_HTTP, tlsConnectionInfo, type ConnectionInfo } from '../tls/connection-info.js';
import { httpsLocation, sendHttpsRedirect } from '../tls/https-redirect.js';
import { createTlsServer, type Http2Connections } from '../tls/tls-server.js';
import type { FrontendTlsConfig } from '../tls/schema.js';
import { Http1Server, type ClientRequest, type ClientResponse } from '../http1/index.js';

const kTrusted = Symbol('gatehouse.trusted');
type TaggedSocket = Socket & { [kTrusted]?: { generation: unknown; trusted: boolean } };

export class FrontendListener {
  readonly name: string;
  readonly bind: HostPort;
  runtime: FrontendRuntime;
  /** Plain frontends: the gateway's own HTTP/1.1 server; TLS ones: node:https or node:http2. */
  private readonly server: Server | Http1Server;
  private readonly logger: Logger;
  private draining = false;
  /** Upgraded (WebSocket) sockets: the HTTP server no longer manages them, so close() must. */
  private readonly tunnels = new Set<Socket>();
  /** Every open client connection (TCP), for the drain: node:http counts one that never sent a byte as busy. */
  private readonly sockets = new Set<Socket>();
  /** TLS frontends: the certificates (SNI) and, with HTTP/2, the sessions to drain. */
  readonly certificates: CertificateStore | undefined;
  private readonly http2: Http2Connections | undefined;

  constructor(runtime: FrontendRuntime, bind: HostPort, config: GatewayConfig, logger: Logger, metrics: GatewayMetrics) {
    this.name = runtime.name;
    this.bind = bind;
    this.runtime = runtime;
    this.logger = logger;
    const tls = config.frontends[this.name]?.tls;
    if (tls === undefined) {
      this.server = new Http1Server({ maxHeaderSize: config.limits.max_header_size });
    } else {
      this.certificates = new CertificateStore(this.name, tls, config.baseDir, logger);
      const connectionsCheckingInterval = Math.max(100, Math.min(1_000, Math.floor(config.timeouts.http_request / 4)));
      ({ server: this.server, http2: this.http2 } = createTlsServer(this.certificates, tls, { maxHeaderSize: config.limits.max_header_size, connectionsCheckingInterval }));
      // failed handshakes (no shared protocol, bad client certificate): the client sees the TLS alert
      this.server.on('tlsClientError', (error: Error & { code?: string }, socket: Socket) => {
        logger.debug({ frontend: this.name, code: error.code, client: socket.remoteAddress }, 'TLS handshake failed');
        socket.destroy();
      });
    }
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

  /** Client-side timeouts; re-applied on reload (the header size limit needs a restart). */
  applyTimeouts(config: GatewayConfig): void {
    const t = config.timeouts;
    this.server.headersTimeout = t.http_request;
    this.server.keepAliveTimeout = t.client;
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
    if (this.certificates === undefined || tls === undefined) return [];
    const problems = this.certificates.reload(tls, config.baseDir);
    (this.server as unknown as { setSecureContext(options: object): void }).setSecureContext(this.certificates.defaultOptions());
    return problems;
  }

  certificateInfo(): CertificateInfo[] {
    return this.certificates?.certificates() ?? [];
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host: this.bind.host, port: this.bind.port }, () => {
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

  private connectionInfo(socket: Socket, runtime: FrontendRuntime): ConnectionInfo | undefined {
    return runtime.tls ? tlsConnectionInfo(socket, runtime.generation, runtime.clientSubjectHeader) : undefined;
  }

  private isTrusted(socket: TaggedSocket, runtime: FrontendRuntime): boolean {
    const cached = socket[kTrusted];
    if (cached !== undefined && cached.generation === runtime.generation) return cached.trusted;
    const trusted = runtime.generation.isTrustedProxy(socket.remoteAddress);
    socket[kTrusted] = { generation: runtime.generation, trusted };
    return trusted;
  }

  private readonly onRequest = (req: ClientRequest, res: ClientResponse): void => {
    try {
      this.handleRequest(req, res);
    } catch (error) {
      // a bug must cost one request, never the process
      this.logger.error({ frontend: this.name, err: { message: (error as Error)?.message, stack: (error as Error)?.stack } }, 'internal error handling a request');
      if (!res.headersSent) sendLocal(res, 500, 'Internal Server Error\n', true);
      else res.destroy();
    }
  };

  private handleRequest(req: ClientRequest, res: ClientResponse): void {
    const started = performance.now();
    const runtime = this.runtime;
    if (this.draining) res.shouldKeepAlive = false;
    const host = req.httpVersionMajor === 2 ? checkAuthority(req.headers[':authority'] as string | undefined, req.headers.host) : checkHost(req.rawHeaders, req.httpVersionMinor);
    const url = req.url as string;
    let status = 0;
    let body = '';
    if (host === undefined) [status, body] = [400, MESSAGES.badHost];
    else if (url.length > runtime.maxUrlLength) [status, body] = [414, MESSAGES.uriTooLong];
    const target = status === 0 ? parseTarget(url, host as string) : undefined;
    if (status === 0 && target === undefined) [status, body] = [400, MESSAGES.badTarget];
    if (status === 0 && runtime.redirectHttpsPort !== undefined && target !== undefined && host !== '') {
      const bytes = sendHttpsRedirect(res, httpsLocation(hostName(host as string), runtime.redirectHttpsPort, target.upstreamPath));
      this.recordLocal(req, runtime, started, 308, bytes, target.path, 'redirect_https', undefined);
      return;
    }
    const route = target === undefined || runtime.redirectHttpsPort !== undefined ? undefined : runtime.router.match(runtime.router.usesHost ? hostName(host as string) : '', target.path, req.method as string);
    if (status === 0 && route === undefined) [status, body] = [404, MESSAGES.notFound];
    if (status !== 0 || route === undefined || target === undefined) {
      if (status === 0) [status, body] = [400, MESSAGES.badRequest];
      const bytes = sendLocal(res, status, body, status !== 404 || hasRequestBody(req), runtime.hsts, runtime.errorPages);
      this.recordLocal(req, runtime, started, status, bytes, target?.path ?? '-', '-', body.split(':')[0]);
      return;
    }
    const socket = (runtime.tls ? connectionSocket(req) : req.socket) as TaggedSocket;
    const trusted = runtime.generation.trustedProxies.length === 0 ? false : this.isTrusted(socket, runtime);
    if (route.source !== undefined && !this.sourcePasses(route.source, socket, trusted, req.headers['x-forwarded-for'], runtime)) {
      const bytes = sendLocal(res, 403, MESSAGES.sourceDenied, hasRequestBody(req), runtime.hsts, runtime.errorPages);
      this.recordLocal(req, runtime, started, 403, bytes, target.path, route.label, 'source denied');
      return;
    }
    if ('answer' in route) {
      const bytes = sendAnswer(res, route.answer, target.upstreamPath, hasRequestBody(req), runtime.hsts);
      this.recordLocal(req, runtime, started, route.answer.status, bytes, target.path, route.label, undefined);
      return;
    }
    if (route.cors !== undefined && req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      // a CORS preflight: answered here, before authorization (browsers send no credentials with it)
      const origin = req.headers.origin;
      if (typeof origin === 'string' && originAllowed(route.cors, origin)) {
        res.writeHead(204, { ...preflightHeaders(route.cors, origin), 'content-length': 0, ...(runtime.hsts === undefined ? {} : { 'strict-transport-security': runtime.hsts }) });
        res.end();
        this.recordLocal(req, runtime, started, 204, 0, target.path, route.label, undefined);
      } else {
        const bytes = sendLocal(res, 403, MESSAGES.corsDenied, hasRequestBody(req), runtime.hsts, runtime.errorPages);
        this.recordLocal(req, runtime, started, 403, bytes, target.path, route.label, 'cors origin not allowed');
      }
      return;
    }
    const upstreamPath = routedPath(route.rewrite, target.upstreamPath);
    new Exchange(runtime, route, req, res, started, target.path, upstreamPath, clientAddress(socket.remoteAddress), trusted, this.connectionInfo(socket, runtime)).run();
  }

  private sourcePasses(rules: SourceRules, socket: Socket, trusted: boolean, forwardedFor: string | string[] | undefined, runtime: FrontendRuntime): boolean {
    return sourceAllowed(rules, sourceAddress(clientAddress(socket.remoteAddress), trusted, forwardedFor, runtime.generation.trustedProxies));
  }

  /** Metrics and access log for an answer the gateway wrote itself (refusals, 404, redirects). */
  private recordLocal(req: ClientRequest, runtime: FrontendRuntime, started: number, status: number, bytes: number, path: string, route: string, error: string | undefined): void {
    const seconds = (performance.now() - started) / 1000;
    runtime.unroutedMetrics.record(status, seconds);
    runtime.generation.context.accessLog({
      method: req.method as string, path, status, bytes, duration_ms: Math.round(seconds * 1e6) / 1e3,
      frontend: this.name, route, backend: undefined, server: undefined, client: clientAddress(req.socket.remoteAddress), sub: undefined, error,
    });
  }

  private readonly onUpgrade = (req: ClientRequest, socket: Socket, head: Buffer): void => {
    try {
      this.handleUpgrade(req, socket, head);
    } catch (error) {
      this.logger.error({ frontend: this.name, err: { message: (error as Error)?.message } }, 'internal error handling an upgrade');
      socket.destroy();
    }
  };

  private handleUpgrade(req: ClientRequest, socket: Socket, head: Buffer): void {
    const runtime = this.runtime;
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    const host = checkHost(req.rawHeaders, req.httpVersionMinor);
    const target = host === undefined ? undefined : parseTarget(req.url as string, host);
    if (upgrade !== 'websocket') return sendRawAndClose(socket, 400, MESSAGES.badUpgrade);
    if (host === undefined) return sendRawAndClose(socket, 400, MESSAGES.badHost);
    if (target === undefined) return sendRawAndClose(socket, 400, MESSAGES.badTarget);
    const route = runtime.router.match(hostName(host), target.path, req.method as string);
    if (route === undefined) return sendRawAndClose(socket, 404, MESSAGES.notFound);
    const trusted = this.isTrusted(socket as TaggedSocket, runtime);
    if (route.source !== undefined && !this.sourcePasses(route.source, socket, trusted, req.headers['x-forwarded-for'], runtime)) {
      return sendRawAndClose(socket, 403, MESSAGES.sourceDenied);
    }
    if ('answer' in route) {
      const answer = route.answer;
      if (answer.kind === 'redirect') return sendRawAndClose(socket, answer.status, '', { location: redirectLocation(answer, target.upstreamPath) });
      return sendRawAndClose(socket, answer.status, answer.body, { 'content-type': answer.contentType, ...Object.fromEntries(answer.headers) });
    }
    this.tunnels.add(socket);
    socket.once('close', () => this.tunnels.delete(socket));
    const upstreamPath = routedPath(route.rewrite, target.upstreamPath);
    new Tunnel(runtime, route, req, socket, head, target.path, upstreamPath, clientAddress(socket.remoteAddress), trusted, this.connectionInfo(socket, runtime)).run();
  }

  /** Stops accepting; idle keep-alive connections close now, busy ones after their response. */
  close(): Promise<void> {
    this.draining = true;
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
