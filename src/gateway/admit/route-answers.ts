/**
 * Route answers stage: routes that answer without a backend (`redirect`, `return`, `stats`) and CORS preflights
 * (answered before authorization: browsers send no credentials with them). Past this stage the request
 * is proxied: its target, rewritten path and body are fixed here.
 */
import { originAllowed, preflightHeaders } from '../forward/cors.js';
import { hasRequestBody } from '../forward/retry-policy.js';
import { Http2Request } from '../http2/index.js';
import { MESSAGES } from '../listen/local-response.js';
import { sendAnswer, type SentAnswer } from '../listen/route-answer.js';
import { renderStatsPage } from '../admin/stats-page.js';
import { statsSnapshot } from '../runtime/stats.js';
import type { Generation } from '../runtime/generation.js';
import { routedPath } from '../route/rewrite-prefix.js';
import type { RouteTarget } from '../runtime/generation.js';
import type { GatewayRequest } from './gateway-request.js';
import { ANSWERED, NEXT, type Step } from './stage.js';

export function routeAnswers(request: GatewayRequest): Step {
  const { req, res, runtime } = request;
  const route = request.route as NonNullable<GatewayRequest['route']>;
  if ('answer' in route) {
    request.named(route.label);
    const answer = route.answer.kind === 'stats' ? statsAnswer(runtime.generation) : route.answer;
    request.finish(answer.status, sendAnswer(res, answer, request.upstreamPath, hasRequestBody(req) || req.upgrade === true, runtime.hsts), undefined, undefined);
    return ANSWERED;
  }
  if (route.cors !== undefined && req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    request.named(route.label);
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !originAllowed(route.cors, origin)) {
      request.answer(403, MESSAGES.corsDenied, hasRequestBody(req), 'cors origin not allowed');
      return ANSWERED;
    }
    res.writeHead(204, { ...preflightHeaders(route.cors, origin), 'content-length': 0, ...(runtime.hsts === undefined ? {} : { 'strict-transport-security': runtime.hsts }) });
    res.end();
    request.finish(204, 0, undefined, undefined);
    return ANSWERED;
  }
  proxied(request, route);
  return NEXT;
}

/** A `stats` route: this worker's view of the stats page (the admin listener's, without certificates). */
function statsAnswer(generation: Generation): SentAnswer {
  const body = renderStatsPage(statsSnapshot(generation, Number(process.env.GATEHOUSE_CLUSTER_WORKERS ?? 1)));
  return { kind: 'return', status: 200, contentType: 'text/html; charset=utf-8', body, headers: [] };
}

/** The request goes to `target`: its rewritten path, its body, and a 413 for a body declared too large. */
function proxied(request: GatewayRequest, target: RouteTarget): void {
  const req = request.req;
  // an HTTP/2 request (TLS frontends' own path) reads its body from its stream
  const body = hasRequestBody(req) ? (req instanceof Http2Request ? req.body : req) : null;
  request.proxy(target, routedPath(target.rewrite, request.upstreamPath), body);
}
