/**
 * Which upstream failures are retried and what the client sees: a request may be replayed on another
 * server only when it is idempotent and has no body (a consumed body stream cannot be replayed), and
 * only when the failure means this server never answered. Timeouts answer 504, other failures 502.
 */
import type { IncomingMessage } from 'node:http';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Error codes that mean the request got no answer from this server. */
const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
]);

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function hasRequestBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** How many more servers this request may try after the first. */
export function retryBudget(req: IncomingMessage, hasBody: boolean, retries: number): number {
  return !hasBody && IDEMPOTENT.has(req.method as string) ? retries : 0;
}

export function isConnectionFailure(code: string): boolean {
  return CONNECTION_FAILURES.has(code);
}

export function upstreamErrorStatus(code: string): 502 | 504 {
  return TIMEOUTS.has(code) ? 504 : 502;
}
