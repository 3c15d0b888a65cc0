/** Source rules stage: the route's (or frontend's) `allow_from`/`deny_from` lists (../listen/source-rules.ts); 403 when refused. */
import { hasRequestBody } from '../forward/retry-policy.js';
import { MESSAGES } from '../listen/local-response.js';
import { sourceAllowed } from '../listen/source-rules.js';
import type { GatewayRequest } from './gateway-request.js';
import { ANSWERED, NEXT, type Step } from './stage.js';

export function sourceRules(request: GatewayRequest): Step {
  const route = request.route as NonNullable<GatewayRequest['route']>;
  const rules = route.source;
  if (rules === undefined || sourceAllowed(rules, request.source())) return NEXT;
  request.named(route.label);
  request.answer(403, MESSAGES.sourceDenied, hasRequestBody(request.req), 'source denied');
  return ANSWERED;
}
