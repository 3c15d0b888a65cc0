/**
 * Which upstream failures are retried and what the client sees: a request may be replayed on another
 * server only when it is idempotent and has no body (a consumed body stream cannot be replayed), and
 * only when the failure means this server never answered. Timeouts answer 504, other failures 502.
 */
import type { ClientRequest } from '../http1/index.js';
import { ErrorCode } from '../../shared/errors.js';
import { isIdempotent } from '../upstream/index.js';


/** Error codes that mean the request got no answer from this server. */
const CONNECTION_FAILURES = new Set<string>([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN',
  ErrorCode.UPSTREAM_CONNECT_TIMEOUT, ErrorCode.UPSTREAM_CLOSED,
]);

const TIMEOUTS = new Set<string>([ErrorCode.UPSTREAM_CONNECT_TIMEOUT, ErrorCode.UPSTREAM_RESPONSE_TIMEOUT, ErrorCode.UPSTREAM_BODY_TIMEOUT]);

export function hasRequestBody(req: ClientRequest): boolean {
  // HTTP/2: a body is DATA frames, announced by a HEADERS frame without END_STREAM (length optional)
  if (req.httpVersionMajor === 2) return (req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders !== true;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** How many more servers this request may try after the first. */
export function retryBudget(req: ClientRequest, hasBody: boolean, retries: number): number {
  return !hasBody && isIdempotent(req.method as string) ? retries : 0;
}

export function isConnectionFailure(code: string): boolean {
  return CONNECTION_FAILURES.has(code);
}

/** A request that waited too long for a free connection: it never reached the server (HAProxy answers 503). */
export function isQueueTimeout(code: string): boolean {
  return code === ErrorCode.UPSTREAM_QUEUE_TIMEOUT;
}

export function upstreamErrorStatus(code: string): 502 | 503 | 504 {
  if (isQueueTimeout(code)) return 503;
  return TIMEOUTS.has(code) ? 504 : 502;
}
