/**
 * One client request on its way through the gateway: rate limit → authorize → pick a server → dispatch through the
 * server's connection pool (src/gateway/upstream) → stream the response back. The exchange object is the
 * pool's response handler itself (no per-request closures), retries a failed connection of an idempotent request once on
 * another server, maps upstream failures to 502/504, and feeds health, metrics and the access log.
 */
import type { ClientRequest, ClientResponse } from '../http1/index.js';
import type { AuthAllow, AuthDecision } from '../auth/index.js';
import type { UpstreamServer } from '../health/index.js';
import { MESSAGES, sendLocal } from '../listen/local-response.js';
import { noAccessLog } from '../observe/index.js';
import type { FrontendRuntime, RouteTarget } from '../runtime/generation.js';
import type { ConnectionInfo } from '../tls/connection-info.js';
import type { UpstreamHandler } from '../upstream/index.js';
import { hashKey } from '../balance/index.js';
import { ErrorCode } from '../../shared/errors.js';
import { applyResponseRules, replaceHeaders } from './header-rules.js';
import { compressedHeaders, compressible, createCompressor, negotiate, type Algorithm, type Compressor } from './compression.js';
import { headerValue } from '../../shared/header-list.js';
import { requestId, withRequestId, type RequestIdConfig } from './request-id.js';
import { originAllowed, withCors } from './cors.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { RATE_LIMIT_HEADERS, type LimitVerdict, type RateLimiter, type RateLimitHeaders } from '../limit/index.js';
import { sourceAddress } from '../listen/source-rules.js';
import { hasRequestBody, isConnectionFailure, isQueueTimeout, retryBudget, upstreamErrorStatus } from './retry-policy.js';

const kExchange = Symbol('gatehouse.exchange');

/** Largest whole response body sent in the same write() as the response head. */
const SINGLE_WRITE_MAX = 4096;

function onClientClose(this: ClientResponse & { [kExchange]?: Exchange }): void {
  this[kExchange]?.clientClosed();
}

export class Exchange implements UpstreamHandler {
  private readonly req: ClientRequest;
  private readonly res: ClientResponse & { [kExchange]?: Exchange };
  private readonly runtime: FrontendRuntime;
  private readonly target: RouteTarget;
  private readonly started: number;
  private readonly path: string;
  private readonly upstreamPath: string;
  private readonly client: string;
  private readonly trusted: boolean;
  private readonly connection: ConnectionInfo | undefined;
  private readonly body: ClientRequest | null;
  private headers: string[] = [];
  /** The request's ID (frontends with `request_id`). */
  private requestId: string | undefined;
  /** RateLimit-* headers for the response (limits with `headers: true`). */
  private limitHeaders: RateLimitHeaders | undefined;
  /** The balancer's hash key (hashing backends only). */
  private balanceKey: string | undefined;
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
  /** Set while an attempt is given up for another server: its onError is expected and ignored. */
  private abandoning = false;
  /** The zlib stream between the upstream body and the client, when this response is compressed. */
  private compressor: Compressor | undefined;
  private resumeUpstream: (() => void) | undefined;

  constructor(runtime: FrontendRuntime, target: RouteTarget, req: ClientRequest, res: ClientResponse, started: number, path: string, upstreamPath: string, client: string, trusted: boolean, connection?: ConnectionInfo) {
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
    this.attemptsLeft = retryBudget(req, this.body !== null, target.backend.retries);
    this.res[kExchange] = this;
    runtime.generation.active++;
    res.on('close', onClientClose); // 'close' fires once; on() avoids once()'s per-call wrapper
  }

  /** Entry point: refuse a body declared too large, apply a rate limit by source or header, authorize (sync or async) when the target has a policy, then forward. */
  run(): void {
    const ids = this.runtime.requestId;
    if (ids !== undefined) this.requestId = requestId(ids, this.req.headers[ids.lower]);
    const limit = this.target.maxBodyBytes;
    if (limit !== undefined && this.body !== null && Number(this.req.headers['content-length'] ?? 0) > limit) {
      this.bodyTooLarge(limit);
      return;
    }
    const limiter = this.target.rateLimit;
    if (limiter !== undefined && limiter.beforeAuth) {
      const key = limiter.key;
      const verdict = limiter.check(this.source(), key.kind === 'header' ? this.req.headers[key.header] : undefined, undefined);
      if (verdict instanceof Promise) {
        verdict.then((v) => this.guard(() => (v.allowed ? this.admitted(v.headers) : this.limited(limiter, v))));
        return;
      }
      if (!verdict.allowed) {
        this.limited(limiter, verdict);
        return;
      }
      this.limitHeaders = verdict.headers;
    }
    this.authorize();
  }

  private admitted(headers: RateLimitHeaders | undefined): void {
    this.limitHeaders = headers;
    this.authorize();
  }

  /** The client's address as source rules read it: through trusted proxies' X-Forwarded-For. */
  private source(): string {
    return sourceAddress(this.client, this.trusted, this.req.headers['x-forwarded-for'], this.runtime.generation.trustedProxies);
  }

  /** After an await: the exchange may have ended meanwhile (client gone), and a bug must cost one request. */
  private guard(step: () => void): void {
    if (this.done) return;
    try {
      step();
    } catch (error) {
      this.internalError(error);
    }
  }

  private authorize(): void {
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

  /** 429 with Retry-After, or 503 when the limit's store failed and it denies then. */
  private limited(limiter: RateLimiter, verdict: LimitVerdict & { allowed: false }): void {
    this.allowCorsRead();
    if (verdict.status === 429) {
      this.runtime.generation.context.metrics.rateLimited.labels(this.target.frontend, limiter.name).inc();
      this.res.setHeader('retry-after', String(verdict.retryAfterS));
      for (const [name, value] of verdict.headers ?? []) this.res.setHeader(name, value);
      this.finish(429, this.local(429, MESSAGES.rateLimited, this.body !== null), `rate limited: ${limiter.name}`);
    } else {
      this.finish(503, this.local(503, MESSAGES.rateLimitUnavailable, this.body !== null), `rate limit store unavailable: ${limiter.name}`);
    }
  }

  /** A browser may read a refusal (its WWW-Authenticate, its Retry-After) only with the CORS headers. */
  private allowCorsRead(): void {
    const cors = this.target.cors;
    const origin = this.req.headers.origin;
    if (cors === undefined || typeof origin !== 'string' || !originAllowed(cors, origin)) return;
    const extra = withCors([], cors, origin);
    for (let i = 0; i < extra.length; i += 2) this.res.setHeader(extra[i] as string, extra[i + 1] as string);
  }

  private onDecision(decision: AuthDecision): void {
    if (this.done) return;
    if (decision.ok) {
      this.subject = decision.subject;
      const limiter = this.target.rateLimit;
      if (limiter !== undefined && !limiter.beforeAuth) {
        // a limit by subject: counted only for a verified token
        const verdict = limiter.check(this.source(), undefined, decision.subject);
        if (verdict instanceof Promise) {
          verdict.then((v) => this.guard(() => {
            if (!v.allowed) return this.limited(limiter, v);
            this.limitHeaders = v.headers;
            this.forward(decision);
          }));
          return;
        }
        if (!verdict.allowed) {
          this.limited(limiter, verdict);
          return;
        }
        this.limitHeaders = verdict.headers;
      }
      this.forward(decision);
      return;
    }
    this.runtime.generation.context.metrics.authDenied.labels(this.target.frontend, this.target.policy?.name ?? '', decision.reason).inc();
    const res = this.res;
    try {
      if (this.body !== null && this.req.httpVersionMajor === 1) res.setHeader('connection', 'close');
      if (this.runtime.hsts !== undefined) res.setHeader('strict-transport-security', this.runtime.hsts);
      if (this.requestId !== undefined) res.setHeader((this.runtime.requestId as RequestIdConfig).header, this.requestId);
      this.allowCorsRead();
      res.writeHead(decision.status, decision.headers);
    } catch (error) {
      // a deny whose headers Node refuses (control characters, bad status) must not crash the gateway
      this.authFailed(error);
      return;
    }
    res.end(decision.body);
    this.finish(decision.status, Buffer.byteLength(decision.body), `auth: ${decision.reason}`);
  }

  /** An answer of the gateway's own (4xx/5xx text), with the request ID when the frontend gives one. */
  private local(status: number, body: string, close: boolean): number {
    if (this.requestId !== undefined && !this.res.headersSent) this.res.setHeader((this.runtime.requestId as RequestIdConfig).header, this.requestId);
    return sendLocal(this.res, status, body, close, this.runtime.hsts, this.runtime.errorPages);
  }

  /** 413, and the connection closed: the rest of the body is never read. */
  private bodyTooLarge(limit: number): void {
    this.finish(413, this.local(413, MESSAGES.bodyTooLarge(limit), true), 'body too large');
  }

  private authFailed(error: unknown): void {
    if (this.done) return;
    this.res.removeHeader('connection');
    this.runtime.generation.context.logger.error({ err: { message: (error as Error)?.message, code: (error as { code?: string })?.code } }, 'auth policy failed');
    this.finish(500, this.local(500, MESSAGES.authError, this.body !== null), 'auth policy threw');
  }

  private forward(allow: AuthAllow | undefined): void {
    this.headers = upstreamRequestHeaders(this.req.headers, this.client, this.trusted, allow, false, this.connection, this.target.requestHeaders);
    if (this.requestId !== undefined) this.headers = withRequestId(this.headers, this.runtime.requestId as RequestIdConfig, this.requestId);
    if (this.target.compression?.offload === true) this.headers = replaceHeaders(this.headers, ['accept-encoding'], []);
    const backend = this.target.backend;
    if (backend.hashOn !== undefined) this.balanceKey = hashKey(backend.hashOn, this.client, this.path, this.headers);
    const server = backend.balancer.pick(undefined, this.balanceKey);
    if (server === undefined) {
      this.finish(503, this.local(503, MESSAGES.noServer(this.target.backend.name), this.body !== null), 'no server');
      return;
    }
    this.dispatch(server);
  }

  private dispatch(server: UpstreamServer): void {
    this.server = server;
    server.inflight++;
    server.requests++;
    server.pool.dispatch({ path: this.upstreamPath, method: this.req.method as string, headers: this.headers, body: this.body, maxBodyBytes: this.target.maxBodyBytes }, this);
  }

  // ---- the upstream pool's response handler ----
  // Each callback is guarded: a bug here must cost one request (502 or a reset), never the process.

  onHeaders(statusCode: number, rawHeaders: string[], resume: () => void): boolean {
    try {
      return this.handleHeaders(statusCode, rawHeaders, resume);
    } catch (error) {
      return this.internalError(error);
    }
  }

  onData(chunk: Buffer): boolean {
    try {
      return this.handleData(chunk);
    } catch (error) {
      return this.internalError(error);
    }
  }

  onComplete(): void {
    try {
      this.handleComplete();
    } catch (error) {
      this.internalError(error);
    }
  }

  onError(error: Error & { code?: string }): void {
    if (this.abandoning) {
      (this.server as UpstreamServer).inflight--;
      return;
    }
    try {
      this.handleError(error);
    } catch (failure) {
      this.internalError(failure);
    }
  }

  private internalError(error: unknown): false {
    this.compressor?.destroy();
    if (!this.done) {
      this.runtime.generation.context.logger.error({ err: { message: (error as Error)?.message, stack: (error as Error)?.stack } }, 'internal error while proxying');
      this.abortUpstream?.(new Error('internal error'));
      if (this.res.headersSent) this.res.destroy();
      this.finish(502, this.res.headersSent ? this.bytes : this.local(502, MESSAGES.badGateway, true), 'internal error');
    }
    return false;
  }

  /** Stops the current attempt without treating its end as a failure of the exchange. */
  private abandonAttempt(): void {
    const abort = this.abortUpstream;
    this.abortUpstream = undefined;
    this.abandoning = true;
    try {
      abort?.(new Error('retried on another server'));
    } finally {
      this.abandoning = false;
    }
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.done) abort();
  }

  private handleHeaders(statusCode: number, rawHeaders: string[], resume: () => void): boolean {
    const server = this.server as UpstreamServer;
    if (statusCode >= 500) {
      server.failures++;
      server.recordFailure(`status ${statusCode}`, true);
    }
    else server.recordSuccess();
    const backend = this.target.backend;
    if (this.attemptsLeft > 0 && !this.done && backend.retryStatuses.has(statusCode)) {
      // retry_on: this answer is dropped (with its connection) and the request goes to another server
      const next = backend.balancer.pick(server, this.balanceKey);
      if (next !== undefined) {
        this.attemptsLeft--;
        this.runtime.generation.context.metrics.retries.labels(server.backend).inc();
        this.abandonAttempt();
        this.dispatch(next);
        return false;
      }
    }
    this.responseStarted = true;
    this.status = statusCode;
    this.resumeUpstream = resume;
    if (this.done) return false;
    const rules = this.target.responseHeaders;
    let headers = rules === undefined ? clientResponseHeaders(rawHeaders) : applyResponseRules(clientResponseHeaders(rawHeaders), rules);
    if (this.requestId !== undefined) headers = withRequestId(headers, this.runtime.requestId as RequestIdConfig, this.requestId);
    const cors = this.target.cors;
    if (cors !== undefined) {
      const origin = this.req.headers.origin;
      if (typeof origin === 'string' && originAllowed(cors, origin)) headers = withCors(headers, cors, origin);
    }
    if (this.runtime.hsts !== undefined) headers.push('strict-transport-security', this.runtime.hsts);
    if (this.limitHeaders !== undefined) headers = replaceHeaders(headers, RATE_LIMIT_HEADERS, this.limitHeaders);
    const compression = this.target.compression;
    let compressWith: Algorithm | undefined;
    let sizeHint: number | undefined;
    if (compression !== undefined) {
      const accept = this.req.headers['accept-encoding'];
      compressWith = negotiate(compression, Array.isArray(accept) ? accept.join(',') : accept);
      if (compressWith !== undefined && compressible(compression, this.req.method as string, statusCode, headers)) {
        const length = Number(headerValue(headers, 'content-length') ?? Number.NaN);
        sizeHint = Number.isFinite(length) ? length : undefined;
        headers = compressedHeaders(headers, compressWith);
      } else compressWith = undefined;
    }
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
      this.finish(502, this.local(502, MESSAGES.badGateway, true), 'invalid upstream response header');
      return false;
    }
    if (compressWith !== undefined) this.startCompressor(createCompressor(compressWith, sizeHint));
    return true;
  }

  /** The compressed body flows compressor → client with pipe()'s backpressure; its bytes are what the log counts. */
  private startCompressor(compressor: Compressor): void {
    this.compressor = compressor;
    compressor.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
    compressor.once('end', () => this.finish(this.status, this.bytes, undefined));
    compressor.once('error', (error: Error) => this.internalError(error));
    compressor.pipe(this.res);
  }

  private handleData(chunk: Buffer): boolean {
    if (this.done) return false;
    const compressor = this.compressor;
    if (compressor !== undefined) {
      if (compressor.write(chunk)) return true;
      compressor.once('drain', this.resumeUpstream as () => void);
      return false;
    }
    this.bytes += chunk.length;
    if (this.bytes === this.expected) {
      this.ended = true;
      // A small whole body goes out as a latin1 string (byte-exact): Node then sends the response head
      // and the body in one write() instead of a writev() of two buffers.
      if (this.bytes === chunk.length && chunk.length <= SINGLE_WRITE_MAX) this.res.end(chunk.toString('latin1'), 'latin1');
      else this.res.end(chunk);
      return true;
    }
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resumeUpstream as () => void);
    return false;
  }

  private handleComplete(): void {
    (this.server as UpstreamServer).inflight--;
    if (this.done) return;
    if (this.compressor !== undefined) {
      // the exchange finishes when the compressor has handed its last bytes to the client
      this.ended = true;
      this.compressor.end();
      return;
    }
    if (!this.ended) this.res.end();
    this.finish(this.status, this.bytes, undefined);
  }

  private handleError(error: Error): void {
    const server = this.server as UpstreamServer;
    server.inflight--;
    if (this.done) return;
    if (this.res.destroyed || this.res.socket?.destroyed === true || (this.req.destroyed && !this.req.complete)) {
      // the client went away (e.g. mid-upload, so the body stream failed): not the upstream's fault
      this.finish(499, this.bytes, 'client closed');
      return;
    }
    const code = (error as { code?: string }).code ?? error.name;
    if (code === ErrorCode.REQUEST_BODY_TOO_LARGE) {
      // the client's doing, not the server's: no failure counted, no retry
      if (this.res.headersSent) {
        this.res.destroy();
        this.compressor?.destroy();
        this.finish(this.status, this.bytes, code);
      } else this.bodyTooLarge(this.target.maxBodyBytes as number);
      return;
    }
    const metrics = this.runtime.generation.context.metrics;
    metrics.upstreamErrors.labels(server.backend, server.name, code).inc();
    // a full queue says the server is busy, not broken: no failure for passive health, but the request
    // never reached it, so it may go to another server like a failed connection
    const queued = isQueueTimeout(code);
    if (!queued) server.failures++;
    const retryable = queued || isConnectionFailure(code) || (code === ErrorCode.UPSTREAM_RESPONSE_TIMEOUT && this.target.backend.retryOnResponseTimeout);
    if (!this.responseStarted && retryable) {
      if (!queued) server.recordFailure(code, false);
      if (this.attemptsLeft > 0) {
        this.attemptsLeft--;
        const next = this.target.backend.balancer.pick(server, this.balanceKey);
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
      this.compressor?.destroy();
      this.finish(this.status, this.bytes, code);
      return;
    }
    const status = upstreamErrorStatus(code);
    const message = status === 503 ? MESSAGES.queueTimeout(server.backend) : status === 504 ? MESSAGES.gatewayTimeout : MESSAGES.badGateway;
    this.finish(status, this.local(status, message, this.body !== null), code);
  }

  /** The client connection closed: stop the upstream exchange if it is still running. */
  clientClosed(): void {
    // Once the whole body went out with end(), 'close' is the response finishing, not the client leaving:
    // the upstream's end of message (already received, parsed next) finishes the exchange. A compressed
    // response finishes when its compressor ends; a close before that is the client leaving.
    if (this.done || (this.ended && this.compressor === undefined)) return;
    this.finish(499, this.bytes, 'client closed');
    if (this.compressor !== undefined) {
      // the compressed stream is cut: nothing more can be sent on this response, so its connection goes too
      this.compressor.destroy();
      this.res.destroy();
    }
    this.abortUpstream?.(new Error('client closed the connection'));
  }


  private finish(status: number, bytes: number, error: string | undefined): void {
    if (this.done) return;
    this.done = true;
    this.res[kExchange] = undefined;
    this.runtime.generation.active--;
    const seconds = (performance.now() - this.started) / 1000;
    this.target.metrics.record(status, seconds);
    const accessLog = this.runtime.generation.context.accessLog;
    if (accessLog === noAccessLog) return;
    accessLog({
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
      request_id: this.requestId,
    });
  }
}
