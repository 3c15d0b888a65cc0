/**
 * Rate limit stages: a limit keyed by source or header runs before authorization; a limit keyed by the
 * token's subject runs after it (counted only for a verified token). 429 with Retry-After, or 503 when the
 * limit's store failed and it denies then. The RateLimit-* headers go on the response.
 */
import { MESSAGES } from '../listen/local-response.js';
import type { LimitVerdict, RateLimiter } from '../limit/index.js';
import type { RouteTarget } from '../runtime/generation.js';
import type { GatewayRequest } from './gateway-request.js';
import { allowCorsRead } from './refusal.js';
import { ANSWERED, NEXT, type Outcome, type Step } from './stage.js';

export function rateLimitBeforeAuth(request: GatewayRequest): Step {
  const limiter = (request.target as RouteTarget).rateLimit;
  if (limiter === undefined || !limiter.beforeAuth) return NEXT;
  const key = limiter.key;
  return judged(request, limiter, limiter.check(request.source(), key.kind === 'header' ? request.req.headers[key.header] : undefined, undefined));
}

export function rateLimitBySubject(request: GatewayRequest): Step {
  const target = request.target as RouteTarget;
  const limiter = target.rateLimit;
  // without a policy there is no subject to count (config validation asks for one)
  if (limiter === undefined || limiter.beforeAuth || target.policy === undefined) return NEXT;
  return judged(request, limiter, limiter.check(request.source(), undefined, request.subject));
}

function judged(request: GatewayRequest, limiter: RateLimiter, verdict: LimitVerdict | Promise<LimitVerdict>): Step {
  if (verdict instanceof Promise) return verdict.then((v) => judge(request, limiter, v));
  return judge(request, limiter, verdict);
}

function judge(request: GatewayRequest, limiter: RateLimiter, verdict: LimitVerdict): Outcome {
  if (request.done) return ANSWERED;
  if (verdict.allowed) {
    request.limitHeaders = verdict.headers;
    return NEXT;
  }
  const { res, runtime } = request;
  const target = request.target as RouteTarget;
  allowCorsRead(request);
  const close = request.body !== null;
  if (verdict.status === 429) {
    runtime.generation.context.metrics.rateLimited.labels(target.frontend, limiter.name).inc();
    res.setHeader('retry-after', String(verdict.retryAfterS));
    for (const [name, value] of verdict.headers ?? []) res.setHeader(name, value);
    request.answer(429, MESSAGES.rateLimited, close, `rate limited: ${limiter.name}`);
  } else request.answer(503, MESSAGES.rateLimitUnavailable, close, `rate limit store unavailable: ${limiter.name}`);
  return ANSWERED;
}
