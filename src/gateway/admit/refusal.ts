/** What admission refusals share: the CORS headers that let a browser read a refusal (its WWW-Authenticate, its Retry-After). */
import { originAllowed, withCors } from '../forward/cors.js';
import type { RouteTarget } from '../runtime/generation.js';
import type { GatewayRequest } from './gateway-request.js';

export function allowCorsRead(request: GatewayRequest): void {
  const cors = (request.target as RouteTarget).cors;
  const origin = request.req.headers.origin;
  if (cors === undefined || typeof origin !== 'string' || !originAllowed(cors, origin)) return;
  const extra = withCors([], cors, origin);
  for (let i = 0; i < extra.length; i += 2) request.res.setHeader(extra[i] as string, extra[i + 1] as string);
}
