/**
 * Authorize stage: the route's auth policy (JWT and claim rules, src/gateway/auth) decides, synchronously
 * when it can (a cached key and token) or with a Promise. A denial is answered here with the policy's
 * status, headers and body; an allow leaves its claim headers and subject on the request.
 */
import type { AuthDecision } from '../auth/index.js';
import { MESSAGES } from '../listen/local-response.js';
import type { RequestIdConfig } from '../forward/request-id.js';
import type { RouteTarget } from '../runtime/generation.js';
import type { GatewayRequest } from './gateway-request.js';
import { allowCorsRead } from './refusal.js';
import { ANSWERED, NEXT, type Outcome, type Step } from './stage.js';

export function authorize(request: GatewayRequest): Step {
  const target = request.target as RouteTarget;
  const policy = target.policy;
  if (policy === undefined) return NEXT;
  let decision: AuthDecision | Promise<AuthDecision>;
  try {
    decision = policy.authorize({ method: request.req.method as string, path: request.path, url: request.req.url, headers: request.req.headers }, target.requirements);
  } catch (error) {
    return failed(request, error);
  }
  if (typeof (decision as Promise<AuthDecision>).then !== 'function') return decided(request, decision as AuthDecision);
  return (decision as Promise<AuthDecision>).then((d) => decided(request, d), (error: unknown) => failed(request, error));
}

function decided(request: GatewayRequest, decision: AuthDecision): Outcome {
  if (request.done) return ANSWERED;
  if (decision.ok) {
    request.allow = decision;
    request.subject = decision.subject;
    return NEXT;
  }
  const { res, runtime } = request;
  const target = request.target as RouteTarget;
  request.denied = decision.reason;
  runtime.generation.context.metrics.authDenied.labels(target.frontend, target.policy?.name ?? '', decision.reason).inc();
  try {
    // a body nobody will read, or a refused upgrade: the connection closes after the denial
    if ((request.body !== null || request.req.upgrade === true) && request.req.httpVersionMajor === 1) res.setHeader('connection', 'close');
    if (runtime.hsts !== undefined) res.setHeader('strict-transport-security', runtime.hsts);
    if (request.requestId !== undefined) res.setHeader((runtime.requestId as RequestIdConfig).header, request.requestId);
    allowCorsRead(request);
    if (decision.setCookies !== undefined) res.setHeader('set-cookie', decision.setCookies as string[]);
    res.writeHead(decision.status, decision.headers);
  } catch (error) {
    // a deny whose headers Node refuses (control characters, bad status) must not crash the gateway
    return failed(request, error);
  }
  res.end(decision.body);
  request.finish(decision.status, Buffer.byteLength(decision.body), `auth: ${decision.reason}`, undefined);
  return ANSWERED;
}

function failed(request: GatewayRequest, error: unknown): Outcome {
  if (request.done) return ANSWERED;
  request.res.removeHeader('connection');
  request.runtime.generation.context.logger.error({ err: { message: (error as Error)?.message, code: (error as { code?: string })?.code } }, 'auth policy failed');
  request.answer(500, MESSAGES.authError, request.body !== null, 'auth policy threw');
  return ANSWERED;
}
