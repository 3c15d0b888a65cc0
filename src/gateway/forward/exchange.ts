/**
 * One admitted request at its servers: dispatched through a server's connection pool
 * (src/gateway/upstream), retried on another server when a connection of an idempotent request fails or
 * the answer is one `retry_on` names (./retry-policy.ts), upstream failures mapped to 502/503/504,
 * passive health fed, and a `101` to an upgrade handed over to the tunnel (./tunnel.ts). The response
 * itself is relayed by the base class (./response-relay.ts). The exchange is the pool's response handler
 * itself: no per-request closures.
 */
import type { Socket } from 'node:net';
import { bodyTooLarge } from '../admit/body-limit.js';
import type { ForwardState, GatewayRequest } from '../admit/gateway-request.js';
import type { UpstreamServer } from '../health/index.js';
import { MESSAGES } from '../listen/local-response.js';
import type { RouteTarget } from '../runtime/generation.js';
import type { UpstreamHandler } from '../upstream/index.js';
import { ErrorCode } from '../../shared/errors.js';
import { ResponseRelay } from './response-relay.js';
import { isConnectionFailure, isQueueTimeout, retryBudget, upstreamErrorStatus } from './retry-policy.js';
import { switchToTunnel } from './tunnel.js';

export class Exchange extends ResponseRelay implements UpstreamHandler, ForwardState {
  /** The balancer's hash key (hashing backends only). */
  private readonly balanceKey: string | undefined;
  private server: UpstreamServer | undefined;
  private attemptsLeft: number;
  private abortUpstream: ((reason?: Error) => void) | undefined;
  /** Set while an attempt is given up for another server: its onError is expected and ignored. */
  private abandoning = false;

  constructor(request: GatewayRequest, target: RouteTarget, balanceKey: string | undefined) {
    super(request, target);
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
      if (this.retriedOnStatus(statusCode)) return false;
      return this.startResponse(statusCode, rawHeaders, resume);
    } catch (error) {
      return this.internalError(error);
    }
  }

  onData(chunk: Buffer): boolean {
    try {
      return this.relayData(chunk);
    } catch (error) {
      return this.internalError(error);
    }
  }

  onComplete(): void {
    try {
      (this.server as UpstreamServer).inflight--;
      this.relayComplete();
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

  protected serverName(): string | undefined {
    return this.server?.name;
  }

  protected stopUpstream(reason: string): void {
    this.abortUpstream?.(new Error(reason));
  }

  protected internalError(error: unknown): false {
    this.compressor?.destroy();
    const request = this.request;
    if (!request.done) {
      request.runtime.generation.context.logger.error({ err: { message: (error as Error)?.message, stack: (error as Error)?.stack } }, 'internal error while proxying');
      this.stopUpstream('internal error');
      if (request.res.headersSent) {
        request.res.destroy();
        this.finish(502, this.bytes, 'internal error');
      } else this.answer(502, MESSAGES.badGateway, true, 'internal error');
    }
    return false;
  }

  /**
   * Passive health from the status, then `retry_on`: an answer with a listed status is dropped (with its
   * connection) and the request goes to another server while attempts are left. True when it did.
   */
  private retriedOnStatus(statusCode: number): boolean {
    const server = this.server as UpstreamServer;
    if (statusCode >= 500) {
      server.failures++;
      server.recordFailure(`status ${statusCode}`, true);
    } else server.recordSuccess();
    const backend = this.target.backend;
    if (this.attemptsLeft === 0 || this.request.done || !backend.retryStatuses.has(statusCode)) return false;
    const next = backend.balancer.pick(server, this.balanceKey);
    if (next === undefined) return false;
    this.attemptsLeft--;
    this.request.runtime.generation.context.metrics.retries.labels(server.backend).inc();
    this.abandonAttempt();
    this.dispatch(next);
    return true;
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
}
