/**
 * Forward stage: the backend's balancer picks a server (by hash key for hashing backends) and the
 * exchange dispatches the admitted request through that server's connection pool. 503 when no server
 * is up.
 */
import { ANSWERED, type Step } from '../admit/stage.js';
import type { GatewayRequest } from '../admit/gateway-request.js';
import { hashKey } from '../balance/index.js';
import { MESSAGES } from '../listen/local-response.js';
import type { RouteTarget } from '../runtime/generation.js';
import { Exchange } from './exchange.js';

export function forward(request: GatewayRequest): Step {
  const target = request.target as RouteTarget;
  const backend = target.backend;
  const key = backend.hashOn === undefined ? undefined : hashKey(backend.hashOn, request.client, request.path, request.headers);
  const server = backend.balancer.pick(undefined, key);
  if (server === undefined) {
    request.answer(503, MESSAGES.noServer(backend.name), request.body !== null, 'no server');
    return ANSWERED;
  }
  const exchange = new Exchange(request, target, key);
  request.forward = exchange;
  exchange.dispatch(server);
  return ANSWERED;
}
