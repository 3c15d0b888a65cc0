/**
 * One client request on its way through the gateway: authorize → pick a server → dispatch through the
 * server's undici pool → stream the response back. The exchange object is the undici dispatch handler
 * itself (no per-request closures), retries a failed connection of an idempotent request once on
 * another server, maps upstream failures to 502/504, and feeds health, metrics and the access log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { AuthAllow, AuthDecision } from '../auth/index.js';
import type { UpstreamServer } from '../health/index.js';
import { MESSAGES, sendLocal } from '../listen/local-response.js';
import type { FrontendRuntime, RouteTarget } from '../runtime/generation.js';
import type { ConnectionInfo } from '../tls/connection-info.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Errors that mean the request never got an answer from this server: safe to retry when idempotent. */
const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
]);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const kExchange = Symbol('gatehouse.exchange');

function onClientClose(this: ServerResponse & { [kExchange]?: Exchange }): void {
  this[kExchange]?.clientClosed();
}

export function hasRequestBody(req: IncomingMessage): boolean {
  // HTTP/2: a body is DATA frames, announced by a HEADERS frame without END_STREAM (length optional)
  if (req.httpVersionMajor === 2) return (req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders !== true;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export class Exchange implements Dispatcher.DispatchHandler {
  private readonly req: IncomingMessage;
  private readonly res: ServerResponse & { [kExchange]?: Exchange };
  private readonly runtime: FrontendRuntime;
  private readonly target: RouteTarget;
  private readonly started: number;
  private readonly path: string;
  private readonly upstreamPath: string;
  private readonly client: string;
  private readonly trusted: boolean;
  private readonly connection: ConnectionInfo | undefined;
  private readonly body: IncomingMessage | null;
  private headers: string[] = [];
  private server: UpstreamServer | undefined;
  private attemptsLeft: number;
  private responseStarted = false;
  private done = false;
  private status = 0;
  private bytes = 0;
  /** The upstream's Content-Length (-1 when absent): lets the last chunk go out with end() in one write. */
  private expected = -1;
  private ended = false;
  private subject: string | undefined;
  private abortUpstream: ((reason?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;

  constructor(runtime: FrontendRuntime, target: RouteTarget, req: IncomingMessage, res: ServerResponse, started: number, path: string, upstreamPath: string, client: string, trusted: boolean, connection?: ConnectionInfo) {
    this.connection = connection;
    this.runtime = runtime;
    this.target = target;
    this.req = req;
    this.res = res;
    this.started = started;
    this.path = path;
    this.upstreamPath = upstreamPath;
    this.client = client;
    this.trusted = trusted;
    this.body = hasRequestBody(req) ? req : null;
    // a request whose body was (maybe) consumed cannot be replayed; so are non-idempotent ones
    this.attemptsLeft = this.body === null && IDEMPOTENT.has(req.method as string) ? target.backend.retries : 0;
    this.res[kExchange] = this;
    res.on('close', onClientClose); // 'close' fires once; on() avoids once()'s per-call wrapper
  }

  /** Entry point: authorize (sync or async) when the target has a policy, then forward. */
  run(): void {
    const policy = this.target.policy;
    if (policy === undefined) {
      this.forward(undefined);
      return;
    }
    let decision: AuthDecision | Promise<AuthDecision>;
    try {
      decision = policy.authorize({ method: this.req.method as string, path: this.path, headers: this.req.headers }, this.target.requirements);
    } catch (error) {
      this.authFailed(error);
      return;
    }
    if (typeof (decision as Promise<AuthDecision>).then === 'function') (decision as Promise<AuthDecision>).then(this.onDecision.bind(this), this.authFailed.bind(this));
    else this.onDecision(decision as AuthDecision);
  }

  private onDecision(decision: AuthDecision): void {
    if (this.done) return;
    if (decision.ok) {
      this.subject = decision.subject;
      this.forward(decision);
      return;
    }
    this.runtime.generation.context.metrics.authDenied.labels(this.target.frontend, this.target.policy?.name ?? '', decision.reason).inc();
    const res = this.res;
    try {
      if (this.body !== null && this.req.httpVersionMajor === 1) res.setHeader('connection', 'close');
      if (this.runtime.hsts !== undefined) res.setHeader('strict-transport-security', this.runtime.hsts);
      res.writeHead(decision.status, decision.headers);
    } catch (error) {
      // a deny whose headers Node refuses (control characters, bad status) must not crash the gateway
      this.authFailed(error);
      return;
    }
    res.end(decision.body);
    this.finish(decision.status, Buffer.byteLength(decision.body), `auth: ${decision.reason}`);
  }

  private authFailed(error: unknown): void {
    if (this.done) return;
    this.res.removeHeader('connection');
    this.runtime.generation.context.logger.error({ err: { message: (error as Error)?.message, code: (error as { code?: string })?.code } }, 'auth policy failed');
    this.finish(500, sendLocal(this.res, 500, MESSAGES.authError, this.body !== null), 'auth policy threw');
  }

  private forward(allow: AuthAllow | undefined): void {
    this.headers = upstreamRequestHeaders(this.req.headers, this.client, this.trusted, allow, false, this.connection);
    const server = this.target.backend.balancer.pick(undefined);
    if (server === undefined) {
      this.finish(503, sendLocal(this.res, 503, MESSAGES.noServer(this.target.backend.name), this.body !== null), 'no server');
      return;
    }
    this.dispatch(server);
  }

  private dispatch(server: UpstreamServer): void {
    this.server = server;
    server.inflight++;
    server.pool.dispatch({ path: this.upstreamPath, method: this.req.method as Dispatcher.HttpMethod, headers: this.headers, body: this.body }, this);
  }

  // ---- undici dispatch handler (legacy callback API: the one undici's core calls directly) ----

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.done) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const server = this.server as UpstreamServer;
    if (statusCode >= 500) server.recordFailure(`status ${statusCode}`, true);
    else server.recordSuccess();
    this.responseStarted = true;
    this.status = statusCode;
    this.resumeUpstream = resume;
    if (this.done) return false;
    const headers = clientResponseHeaders(rawHeaders);
    if (this.runtime.hsts !== undefined) headers.push('strict-transport-security', this.runtime.hsts);
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      if (name.length === 14 && name.toLowerCase() === 'content-length') this.expected = Number(headers[i + 1]);
    }
    try {
      this.res.writeHead(statusCode, headers);
    } catch {
      // a header value Node refuses to send: answer 502 rather than forward it or crash
      this.expected = -1;
      this.abortUpstream?.(new Error('invalid upstream response header'));
      this.finish(502, sendLocal(this.res, 502, MESSAGES.badGateway, true), 'invalid upstream response header');
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    this.bytes += chunk.length;
    if (this.bytes === this.expected) {
      this.ended = true;
      this.res.end(chunk);
      return true;
    }
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resumeUpstream as () => void);
    return false;
  }

  onComplete(): void {
    (this.server as UpstreamServer).inflight--;
    if (this.done) return;
    if (!this.ended) this.res.end();
    this.finish(this.status, this.bytes, undefined);
  }

  onError(error: Error): void {
    const server = this.server as UpstreamServer;
    server.inflight--;
    if (this.done) return;
    const code = (error as { code?: string }).code ?? error.name;
    const metrics = this.runtime.generation.context.metrics;
    metrics.upstreamErrors.labels(server.backend, server.name, code).inc();
    if (!this.responseStarted && CONNECTION_FAILURES.has(code)) {
      server.recordFailure(code, false);
      if (this.attemptsLeft > 0) {
        this.attemptsLeft--;
        const next = this.target.backend.balancer.pick(server);
        if (next !== undefined) {
          metrics.retries.labels(server.backend).inc();
          this.responseStarted = false;
          this.abortUpstream = undefined;
          this.dispatch(next);
          return;
        }
      }
    }
    if (this.res.headersSent) {
      this.res.destroy();
      this.finish(this.status, this.bytes, code);
      return;
    }
    const status = TIMEOUTS.has(code) ? 504 : 502;
    this.finish(status, sendLocal(this.res, status, status === 504 ? MESSAGES.gatewayTimeout : MESSAGES.badGateway, this.body !== null), code);
  }

  /** The client connection closed: stop the upstream exchange if it is still running. */
  clientClosed(): void {
    if (this.done) return;
    this.abortUpstream?.(new Error('client closed the connection'));
    this.finish(499, this.bytes, 'client closed');
  }

  private finish(status: number, bytes: number, error: string | undefined): void {
    if (this.done) return;
    this.done = true;
    this.res[kExchange] = undefined;
    const seconds = (performance.now() - this.started) / 1000;
    this.target.metrics.record(status, seconds);
    this.runtime.generation.context.accessLog({
      method: this.req.method as string,
      path: this.path,
      status,
      bytes,
      duration_ms: Math.round(seconds * 1e6) / 1e3,
      frontend: this.target.frontend,
      route: this.target.label,
      backend: this.target.backend.name,
      server: this.server?.name,
      client: this.client,
      sub: this.subject,
      error,
    });
  }
}
