/**
 * Header rules stage: the upstream request's headers, built once from what the client sent and what the
 * earlier stages decided: hop-by-hop and forged headers removed, the authorization's claim headers, the
 * frontend's and route's `request_headers`, X-Forwarded-*, the frontend's and backend's `request_header_rules`, the request ID, and for upgrades the
 * Connection/Upgrade pair. Exactly this head is what goes upstream.
 */
import { replaceHeaders } from '../forward/header-rules.js';
import { applyOrderedRules } from '../forward/ordered-header-rules.js';
import { upstreamRequestHeaders } from '../forward/headers.js';
import { withRequestId, type RequestIdConfig } from '../forward/request-id.js';
import type { RouteTarget } from '../runtime/generation.js';
import type { GatewayRequest } from './gateway-request.js';
import { NEXT, type Step } from './stage.js';

const ACCEPT_ENCODING = ['accept-encoding'];
const NONE: ReadonlyArray<readonly [string, string]> = [];

export function headerRules(request: GatewayRequest): Step {
  const target = request.target as RouteTarget;
  const req = request.req;
  let headers = upstreamRequestHeaders(req.headers, request.client, request.trusted, request.allow, req.upgrade === true, request.connection(), target.requestHeaders);
  if (target.orderedRequestHeaders !== undefined) headers = applyOrderedRules(headers, target.orderedRequestHeaders, request, target.requestHeaders.skip);
  if (request.requestId !== undefined) headers = withRequestId(headers, request.runtime.requestId as RequestIdConfig, request.requestId);
  if (target.compression?.offload === true) headers = replaceHeaders(headers, ACCEPT_ENCODING, NONE);
  request.headers = headers;
  return NEXT;
}
