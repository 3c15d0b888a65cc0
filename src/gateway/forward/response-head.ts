/**
 * The response head the client gets for a proxied answer: the upstream's headers without hop-by-hop
 * ones, the route's `response_headers`, the request ID, CORS, HSTS and RateLimit-* headers.
 */
import type { GatewayRequest } from '../admit/gateway-request.js';
import { RATE_LIMIT_HEADERS } from '../limit/index.js';
import type { RouteTarget } from '../runtime/generation.js';
import { originAllowed, withCors } from './cors.js';
import { applyResponseRules, replaceHeaders } from './header-rules.js';
import { clientResponseHeaders } from './headers.js';
import { withRequestId, type RequestIdConfig } from './request-id.js';

export function responseHead(request: GatewayRequest, target: RouteTarget, rawHeaders: readonly string[]): string[] {
  const rules = target.responseHeaders;
  let headers = rules === undefined ? clientResponseHeaders(rawHeaders) : applyResponseRules(clientResponseHeaders(rawHeaders), rules);
  const runtime = request.runtime;
  if (request.requestId !== undefined) headers = withRequestId(headers, runtime.requestId as RequestIdConfig, request.requestId);
  const cors = target.cors;
  if (cors !== undefined) {
    const origin = request.req.headers.origin;
    if (typeof origin === 'string' && originAllowed(cors, origin)) headers = withCors(headers, cors, origin);
  }
  if (runtime.hsts !== undefined) headers.push('strict-transport-security', runtime.hsts);
  if (request.limitHeaders !== undefined) headers = replaceHeaders(headers, RATE_LIMIT_HEADERS, request.limitHeaders);
  const added = request.allow?.responseHeaders;
  if (added !== undefined) for (const [name, value] of added) headers.push(name, value);
  return headers;
}

/** The value of Content-Length in a flat header list, -1 when absent. */
export function contentLength(headers: readonly string[]): number {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') return Number(headers[i + 1]);
  }
  return -1;
}
