/**
 * One admitted request at its server: dispatched through the server's connection pool
 * (src/gateway/upstream), the response streamed back (compressed when the route says so). The exchange
 * is the pool's response handler itself (no per-request closures); it retries a failed connection of an
 * idempotent request on another server (./retry-policy.ts), maps upstream failures to 502/503/504, feeds
 * passive health, and hands a `101` to an upgrade over to the tunnel (./tunnel.ts).
 */
import type { Socket } from 'node:net';
import { bodyTooLarge } from '../admit/body-limit.js';
import type { ForwardState, GatewayRequest } from '../admit/gateway-request.js';
import type { UpstreamServer } from '../health/index.js';
import { MESSAGES } from '../listen/local-response.js';
import type { RouteTarget } from '../runtime/generation.js';
import type { UpstreamHandler } from '../upstream/index.js';
import { ErrorCode } from '../../shared/errors.js';
import { compressedHeaders, compressible, createCompressor, negotiate, type Algorithm, type Compressor } from './compression.js';
import { headerValue } from '../../shared/header-list.js';
import { contentLength, responseHead } from './response-head.js';
import { isConnectionFailure, isQueueTimeout, retryBudget, upstreamErrorStatus } from './retry-policy.js';
import { switchToTunnel } from './tunnel.js';

/** Largest whole response body sent in the same write() as the response head. */
const SINGLE_WRITE_MAX = 4096;

export class Exchange implements UpstreamHandler, ForwardState {
  private readonly request: GatewayRequest;
  private readonly target: RouteTarget;
  /** The balancer's hash key (hashing backends only). */
  private readonly balanceKey: string | undefined;
  private server: UpstreamServer | undefined;
  private attemptsLeft: number;
  private responseStarted = false;
  private status = 0;
  private bytes = 0;
  /** The upstream's Content-Length (-1 when absent): lets the last chunk go out with end() in one write. */
  private expected = -1;
  private ended = false;
  private abortUpstream: ((reason?: Error) => void) | undefined;
  /** Set while an attempt is given up for another server: its onError is expected and ignored. */
  private abandoning = false;
  /** The zlib stream between the upstream body and the client, when this response is compressed. */
  private compressor: Compressor | undefined;
  private resumeUpstream: (() => void) | undefined;

  constructor(request: GatewayRequest, target: RouteTarget, balanceKey: string | undefined) {
    this.request = request;
    this.target = target;
    this.balanceKey = balanceKey;
    this.attemptsLeft = retryBudget(request.req, request.body !== null, target.backend.retries);
  }

  dispatch(server: UpstreamServer): void {
    this.server = server;
    server.inflight++;
    server.requests++;
    const request = this.request;
    server.pool.dispatch({ path: request.upstreamPath, method: request.req.method as string, headers: request.headers, body: request.body, maxBodyBytes: this.target.maxBodyBytes, upgrade: request.req.upgrade === true }, this);
  }

  // ---- the upstream pool's response handler ----
  // Each callback is guarded: a bug here must cost one request (502 or a reset), never the process.

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.request.done) abort();
  }

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

  onUpgrade(statusCode: number, rawHeaders: string[], socket: Socket, head: Buffer): void {
    const server = this.server as UpstreamServer;
    server.recordSuccess();
    try {
      switchToTunnel(this.request, this.target, server, statusCode, rawHeaders, socket, head);
    } catch (error) {
      socket.destroy();
      server.inflight--;
      this.internalError(error);
    }
  }

  /** ForwardState: the admission pipeline's request failed after dispatch. */
  abort(): void {
    this.internalError(new Error('aborted'));
  }

  private internalError(error: unknown): false {
    this.compressor?.destroy();
    const request = this.request;
    if (!request.done) {
      request.runtime.generation.context.logger.error({ err: { message: (error as Error)?.message, stack: (error as Error)?.stack } }, 'internal error while proxying');
      this.abortUpstream?.(new Error('internal error'));
      const res = request.res;
      if (res.headersSent) {
        res.destroy();
        this.finish(502, this.bytes, 'internal error');
      } else this.answer(502, MESSAGES.badGateway, true, 'internal error');
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

  private handleHeaders(statusCode: number, rawHeaders: string[], resume: () => void): boolean {
    const server = this.server as UpstreamServer;
    if (statusCode >= 500) {
      server.failures++;
      server.recordFailure(`status ${statusCode}`, true);
    } else server.recordSuccess();
    const request = this.request;
    const backend = this.target.backend;
    if (this.attemptsLeft > 0 && !request.done && backend.retryStatuses.has(statusCode)) {
      // retry_on: this answer is dropped (with its connection) and the request goes to another server
      const next = backend.balancer.pick(server, this.balanceKey);
      if (next !== undefined) {
        this.attemptsLeft--;
        request.runtime.generation.context.metrics.retries.labels(server.backend).inc();
        this.abandonAttempt();
        this.dispatch(next);
        return false;
      }
    }
    this.responseStarted = true;
    this.status = statusCode;
    this.resumeUpstream = resume;
    if (request.done) return false;
    let headers = responseHead(request, this.target, rawHeaders);
    const compression = this.target.compression;
    let compressWith: Algorithm | undefined;
    let sizeHint: number | undefined;
    if (compression !== undefined) {
      const accept = request.req.headers['accept-encoding'];
      compressWith = negotiate(compression, Array.isArray(accept) ? accept.join(',') : accept);
      if (compressWith !== undefined && compressible(compression, request.req.method as string, statusCode, headers)) {
        const length = Number(headerValue(headers, 'content-length') ?? Number.NaN);
        sizeHint = Number.isFinite(length) ? length : undefined;
        headers = compressedHeaders(headers, compressWith);
      } else compressWith = undefined;
    }
    this.expected = contentLength(headers);
    try {
      request.res.writeHead(statusCode, headers);
    } catch {
      // a header value Node refuses to send: answer 502 rather than forward it or crash
      this.expected = -1;
      this.abortUpstream?.(new Error('invalid upstream response header'));
      this.answer(502, MESSAGES.badGateway, true, 'invalid upstream response header');
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
    compressor.pipe(this.request.res);
  }

  private handleData(chunk: Buffer): boolean {
    if (this.request.done) return false;
    const compressor = this.compressor;
    if (compressor !== undefined) {
      if (compressor.write(chunk)) return true;
      compressor.once('drain', this.resumeUpstream as () => void);
      return false;
    }
    const res = this.request.res;
    this.bytes += chunk.length;
    if (this.bytes === this.expected) {
      this.ended = true;
      // A small whole body goes out as a latin1 string (byte-exact): Node then sends the response head
      // and the body in one write() instead of a writev() of two buffers.
      if (this.bytes === chunk.length && chunk.length <= SINGLE_WRITE_MAX) res.end(chunk.toString('latin1'), 'latin1');
      else res.end(chunk);
      return true;
    }
    if (res.write(chunk)) return true;
    res.once('drain', this.resumeUpstream as () => void);
    return false;
  }

  private handleComplete(): void {
    (this.server as UpstreamServer).inflight--;
    if (this.request.done) return;
    if (this.compressor !== undefined) {
      // the exchange finishes when the compressor has handed its last bytes to the client
      this.ended = true;
      this.compressor.end();
      return;
    }
    if (!this.ended) this.request.res.end();
    this.finish(this.status, this.bytes, undefined);
  }

  private handleError(error: Error): void {
    const server = this.server as UpstreamServer;
    server.inflight--;
    const request = this.request;
    if (request.done) return;
    const { req, res } = request;
    if (res.destroyed || res.socket?.destroyed === true || (req.destroyed && !req.complete)) {
      // the client went away (e.g. mid-upload, so the body stream failed): not the upstream's fault
      this.finish(499, this.bytes, 'client closed');
      return;
    }
    const code = (error as { code?: string }).code ?? error.name;
    if (code === ErrorCode.REQUEST_BODY_TOO_LARGE) {
      // the client's doing, not the server's: no failure counted, no retry
      if (res.headersSent) this.cut(code);
      else bodyTooLarge(request, this.target.maxBodyBytes as number);
      return;
    }
    const metrics = request.runtime.generation.context.metrics;
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
          this.abortUpstream = undefined;
          this.dispatch(next);
          return;
        }
      }
    }
    if (res.headersSent) {
      this.cut(code);
      return;
    }
    const status = upstreamErrorStatus(code);
    const message = status === 503 ? MESSAGES.queueTimeout(server.backend) : status === 504 ? MESSAGES.gatewayTimeout : MESSAGES.badGateway;
    this.answer(status, message, request.body !== null, code);
  }

  /** The response already started: nothing more can be said, so the client connection goes. */
  private cut(error: string): void {
    this.request.res.destroy();
    this.compressor?.destroy();
    this.finish(this.status, this.bytes, error);
  }

  /** ForwardState: the client connection closed; stop the upstream exchange if it is still running. */
  clientClosed(): void {
    // Once the whole body went out with end(), 'close' is the response finishing, not the client leaving:
    // the upstream's end of message (already received, parsed next) finishes the exchange. A compressed
    // response finishes when its compressor ends; a close before that is the client leaving.
    if (this.request.done || (this.ended && this.compressor === undefined)) return;
    this.finish(499, this.bytes, 'client closed');
    if (this.compressor !== undefined) {
      // the compressed stream is cut: nothing more can be sent on this response, so its connection goes too
      this.compressor.destroy();
      this.request.res.destroy();
    }
    this.abortUpstream?.(new Error('client closed the connection'));
  }

  private answer(status: number, body: string, close: boolean, error: string): void {
    this.request.answer(status, body, close, error, this.server?.name);
  }

  private finish(status: number, bytes: number, error: string | undefined): void {
    this.request.finish(status, bytes, error, this.server?.name);
  }
}
