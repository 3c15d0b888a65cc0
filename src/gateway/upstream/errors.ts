/** Errors of the upstream client: every one carries an ERR_UPSTREAM_* code (src/shared/errors.ts). */
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export function upstreamError(code: ErrorCode, message: string, cause?: unknown): GatehouseError {
  return new GatehouseError(code, message, cause === undefined ? undefined : { cause });
}

export const connectTimeout = (ms: number) => upstreamError(ErrorCode.UPSTREAM_CONNECT_TIMEOUT, `no connection to the upstream within ${ms} ms`);
export const queueTimeout = (ms: number) => upstreamError(ErrorCode.UPSTREAM_QUEUE_TIMEOUT, `no free connection to the upstream within ${ms} ms (the pool is full)`);
export const responseTimeout = (ms: number) => upstreamError(ErrorCode.UPSTREAM_RESPONSE_TIMEOUT, `no response head from the upstream within ${ms} ms`);
export const bodyTimeout = (ms: number) => upstreamError(ErrorCode.UPSTREAM_BODY_TIMEOUT, `the upstream response body stalled for ${ms} ms`);
export const closedEarly = () => upstreamError(ErrorCode.UPSTREAM_CLOSED, 'the upstream closed the connection before the response was complete');
export const aborted = () => upstreamError(ErrorCode.UPSTREAM_ABORTED, 'the upstream exchange was stopped by the gateway');
export const poolClosed = () => upstreamError(ErrorCode.UPSTREAM_POOL_CLOSED, 'the upstream pool is closed');
export const badHeader = (name: string) => upstreamError(ErrorCode.UPSTREAM_BAD_REQUEST, `header ${JSON.stringify(name.slice(0, 64))} holds CR, LF or NUL; not sent`);
export const badTarget = (what: string) => upstreamError(ErrorCode.UPSTREAM_BAD_REQUEST, `the ${what} holds characters that would split the request; not sent`);
export const badResponse = (reason: string) => upstreamError(ErrorCode.UPSTREAM_BAD_RESPONSE, `invalid upstream response: ${reason}`);
/** An upgrade request never has a body (the HTTP/1.1 server refuses one): it would reach the upstream as tunnel bytes. */
export const upgradeWithBody = () => upstreamError(ErrorCode.UPSTREAM_BAD_REQUEST, 'an upgrade request with a body is not sent');
