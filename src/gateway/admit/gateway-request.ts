/**
 * One client request on its way through the admission pipeline (./pipeline.ts): what the stages learn
 * about it (route, client address, request ID, rate-limit headers, the authorization's verdict, the
 * upstream headers) and how it ends (metrics and access log, once). Created per request, never reused.
 */
import type { AuthAllow } from '../auth/index.js';
import type { ClientRequest, ClientResponse } from '../http1/index.js';
import type { RateLimitHeaders } from '../limit/index.js';
import { MESSAGES, sendLocal } from '../listen/local-response.js';
import { sourceAddress } from '../listen/source-rules.js';
import { noAccessLog, type TargetMetrics } from '../observe/index.js';
import type { SpanRecord } from '../observe/tracing/tracing.js';
import type { Span } from '@opentelemetry/api';
import { requestId, type RequestIdConfig } from '../forward/request-id.js';
import type { AnswerTarget, FrontendRuntime, RouteTarget } from '../runtime/generation.js';
import type { RequestFacts } from '../route/conditions.js';
import { connectionSocket, tlsConnectionInfo, type ConnectionInfo } from '../tls/connection-info.js';
import { clientAddress } from '../forward/headers.js';
import { closingConnection } from './framing.js';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

const kTrusted = Symbol('gatehouse.trusted');
type TaggedSocket = Socket & { [kTrusted]?: { generation: unknown; trusted: boolean } };

/** What a forward stage keeps per request: told when the client leaves or a stage fails after dispatch. */
export interface ForwardState {
  clientClosed(): void;
  abort(): void;
}

const kRequest = Symbol('gatehouse.request');
type TaggedResponse = ClientResponse & { [kRequest]?: GatewayRequest };

function onClientClose(this: TaggedResponse): void {
  this[kRequest]?.clientClosed();
}

export class GatewayRequest implements RequestFacts {
  readonly runtime: FrontendRuntime;
  readonly req: ClientRequest;
  readonly res: ClientResponse;
  readonly started: number;
  readonly client: string;
  readonly trusted: boolean;
  /** The listener's upgraded sockets, which its drain closes (the HTTP server no longer manages them). */
  readonly tunnels: Set<Socket>;
  private readonly socket: Socket;
  /** The matched route (set by the route stage). */
  route: RouteTarget | AnswerTarget | undefined;
  /** The proxied route, once the request is past the local answers (set by `proxy()`). */
  target: RouteTarget | undefined;
  /** Normalised path (for matching and the log) and the path sent upstream (rewritten by `proxy()`). */
  path = '-';
  upstreamPath = '';
  /** The request body stream, or null when it has none (set by `proxy()`; the buffering stage may replace it). */
  body: Readable | null = null;
  requestId: string | undefined;
  /** RateLimit-* headers for the response (limits with `headers: true`). */
  limitHeaders: RateLimitHeaders | undefined;
  /** The authorization's verdict: what to forward (claims as headers), undefined without a policy. */
  allow: AuthAllow | undefined;
  /** The authorization's deny reason (MISSING, EXP, SIG…), when it denied. */
  denied: string | undefined;
  subject: string | undefined;
  /** The upstream request's headers (set by the header-rules stage). */
  headers: string[] = [];
  /** The forward stage's state once dispatched. */
  forward: ForwardState | undefined;
  done = false;
  /** The request's span when the gateway traces (`tracing:`), else undefined. */
  readonly span: Span | undefined;
  private metrics: TargetMetrics;
  private label = '-';
  private source_: string | undefined;

  constructor(runtime: FrontendRuntime, req: ClientRequest, res: ClientResponse, started: number, tunnels: Set<Socket>) {
    this.runtime = runtime;
    this.tunnels = tunnels;
    this.req = req;
    this.res = res;
    this.started = started;
    this.metrics = runtime.unroutedMetrics;
    const socket = runtime.tls ? connectionSocket(req) : req.socket;
    this.socket = socket;
    this.client = clientAddress(socket.remoteAddress);
    this.trusted = runtime.generation.trustedProxies.length === 0 ? false : isTrusted(socket as TaggedSocket, runtime);
    runtime.generation.active++;
    this.span = runtime.generation.tracing.start(req); // noTracing: undefined, the headers untouched
  }

  /** Past routing and local answers: the request is proxied to `target` from here on. */
  proxy(target: RouteTarget, upstreamPath: string, body: Readable | null): void {
    this.target = target;
    this.metrics = target.metrics;
    this.label = target.label;
    this.upstreamPath = upstreamPath;
    this.body = body;
    const ids = this.runtime.requestId;
    if (ids !== undefined) this.requestId = requestId(ids, this.req.headers[ids.lower]);
    (this.res as TaggedResponse)[kRequest] = this;
    this.res.on('close', onClientClose); // 'close' fires once; on() avoids once()'s per-call wrapper
  }

  /** After a 101 the response object is done with (its 'close' says nothing about the tunnel): only `forward` is told from now on. */
  switched(forward: ForwardState): void {
    (this.res as TaggedResponse)[kRequest] = undefined;
    this.forward = forward;
  }

  /** Names the route in the log of a local answer before `proxy()` (source rules, answers, preflight). */
  named(label: string): void {
    this.label = label;
  }

  /** The client's address as source rules and rate limits read it: through trusted proxies' X-Forwarded-For. */
  source(): string {
    if (this.source_ === undefined) this.source_ = sourceAddress(this.client, this.trusted, this.req.headers['x-forwarded-for'], this.runtime.generation.trustedProxies);
    return this.source_;
  }

  /** For `match` conditions: the method as sent. */
  requestMethod(): string {
    return this.req.method as string;
  }

  /** For `match` conditions: a header's copies as the client sent them; `host` is HTTP/2's :authority when there is no Host. */
  headerCopies(name: string): string | readonly string[] | undefined {
    const headers = this.req.headers;
    const value = headers[name];
    if (value === undefined && name === 'host') return headers[':authority'] as string | undefined;
    return value;
  }

  /** TLS frontends: the connection's protocol and verified client certificate subject. */
  connection(): ConnectionInfo | undefined {
    return this.runtime.tls ? tlsConnectionInfo(this.socket, this.runtime.generation, this.runtime.clientSubjectHeader) : undefined;
  }

  /**
   * An answer of the gateway's own (4xx/5xx text), with the request ID when the frontend gives one; then
   * finish. `close`: the connection closes after it (always for a refused upgrade).
   */
  answer(status: number, body: string, close: boolean, error: string | undefined, server?: string): void {
    if (this.requestId !== undefined && !this.res.headersSent) this.res.setHeader((this.runtime.requestId as RequestIdConfig).header, this.requestId);
    if (close) closingConnection(this.req);
    this.finish(status, sendLocal(this.res, status, body, close || this.req.upgrade === true, this.runtime.hsts, this.runtime.errorPages), error, server);
  }

  /** A bug must cost one request: 500 before the response started, a reset after. */
  internalError(error: unknown): void {
    if (this.done) return;
    this.runtime.generation.context.logger.error({ frontend: this.runtime.name, err: { message: (error as Error)?.message, stack: (error as Error)?.stack } }, 'internal error handling a request');
    const forward = this.forward;
    if (forward !== undefined) {
      forward.abort();
      return;
    }
    if (this.res.headersSent) {
      this.res.destroy();
      this.finish(500, 0, 'internal error', undefined);
    } else this.answer(500, MESSAGES.internalError, true, 'internal error');
  }

  /** The client connection closed before the request finished. */
  clientClosed(): void {
    if (this.done) return;
    if (this.forward !== undefined) this.forward.clientClosed();
    else this.finish(499, 0, 'client closed', undefined);
  }

  /** Metrics and access log, once per request. */
  finish(status: number, bytes: number, error: string | undefined, server: string | undefined): void {
    if (this.done) return;
    this.done = true;
    (this.res as TaggedResponse)[kRequest] = undefined;
    this.runtime.generation.active--;
    const seconds = (performance.now() - this.started) / 1000;
    this.metrics.record(status, seconds);
    const span = this.span;
    if (span !== undefined && span.isRecording()) this.runtime.generation.tracing.end(span, this.spanRecord(status, bytes, error, server));
    const accessLog = this.runtime.generation.context.accessLog;
    if (accessLog === noAccessLog) return;
    accessLog({
      method: this.req.method as string,
      path: this.path,
      status,
      bytes,
      duration_ms: Math.round(seconds * 1e6) / 1e3,
      frontend: this.runtime.name,
      route: this.label,
      backend: this.target?.backend.name,
      server,
      client: this.client,
      sub: this.subject,
      error,
      request_id: this.requestId,
    });
  }

  private spanRecord(status: number, bytes: number, error: string | undefined, server: string | undefined): SpanRecord {
    const req = this.req;
    const target = this.target;
    return {
      method: req.method as string,
      path: this.path,
      protocol: req.httpVersionMajor === 2 ? '2' : `1.${req.httpVersionMinor}`,
      scheme: this.runtime.tls ? 'https' : 'http',
      status,
      bytes,
      frontend: this.runtime.name,
      route: this.label,
      backend: target?.backend.name,
      server,
      client: this.client,
      authPolicy: target?.policy?.name,
      auth: this.allow !== undefined ? 'admitted' : this.denied !== undefined ? 'denied' : undefined,
      authReason: this.denied,
      error,
      requestId: this.requestId,
      upgrade: req.upgrade === true,
    };
  }
}

/** Whether the TCP peer is a trusted proxy, cached on the socket per config generation. */
function isTrusted(socket: TaggedSocket, runtime: FrontendRuntime): boolean {
  const cached = socket[kTrusted];
  if (cached !== undefined && cached.generation === runtime.generation) return cached.trusted;
  const trusted = runtime.generation.isTrustedProxy(socket.remoteAddress);
  socket[kTrusted] = { generation: runtime.generation, trusted };
  return trusted;
}
