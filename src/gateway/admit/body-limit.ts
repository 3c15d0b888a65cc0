/** Body limit stage: a body declared larger than the route's `max_body_size` is refused with 413 and the connection closed (the rest is never read). */
import { MESSAGES } from '../listen/local-response.js';
import type { RouteTarget } from '../runtime/generation.js';
import type { GatewayRequest } from './gateway-request.js';
import { ANSWERED, NEXT, type Step } from './stage.js';

export function bodyLimit(request: GatewayRequest): Step {
  const limit = (request.target as RouteTarget).maxBodyBytes;
  if (limit === undefined || request.body === null || Number(request.req.headers['content-length'] ?? 0) <= limit) return NEXT;
  bodyTooLarge(request, limit);
  return ANSWERED;
}

export function bodyTooLarge(request: GatewayRequest, limit: number): void {
  request.answer(413, MESSAGES.bodyTooLarge(limit), true, 'body too large');
}
