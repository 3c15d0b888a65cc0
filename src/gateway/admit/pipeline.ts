/**
 * The admission pipeline, written once for every kind of request (HTTP/1.1 on the gateway's own server,
 * HTTP/2 streams through src/gateway/http2, HTTP/1.1 and HTTP/2 on node's servers with `server: node`, and
 * upgrades): framing (node:http's heads) → upgrade rules → route → source rules →
 * route answers → body limit → rate limit → authorize → rate limit by subject → header rules → trace
 * context → body buffering → forward (balance, dispatch; for an upgrade, the tunnel after the upstream's 101). A stage that
 * answers ends the request; nothing reaches a backend without having passed every stage before it.
 */
import type { Socket } from 'node:net';
import type { ClientRequest, ClientResponse } from '../http1/index.js';
import type { FrontendRuntime } from '../runtime/generation.js';
import { forward } from '../forward/dispatch.js';
import { authorize } from './authorize.js';
import { bodyLimit } from './body-limit.js';
import { bufferBody } from './buffer-body.js';
import { framing } from './framing.js';
import { GatewayRequest } from './gateway-request.js';
import { headerRules } from './header-rules.js';
import { rateLimitBeforeAuth, rateLimitBySubject } from './rate-limit.js';
import { route } from './route.js';
import { routeAnswers } from './route-answers.js';
import { sourceRules } from './source-rules.js';
import { NEXT, type Outcome, type Step } from './stage.js';
import { traceContext } from './trace-context.js';
import { upgradeRules } from './upgrade-rules.js';

/** Runs a request through the pipeline; a thrown error costs this request only. */
export function admit(runtime: FrontendRuntime, req: ClientRequest, res: ClientResponse, started: number, tunnels: Set<Socket>): void {
  run(new GatewayRequest(runtime, req, res, started, tunnels), 0);
}

/**
 * The stages in order, from stage number `from` (0 on arrival, later after a wait). Each stage has its own
 * call site, so V8 sees one callee at each and inlines the synchronous ones; calling them in a loop over an
 * array of stages went through one megamorphic call site and a generic call per stage (13 per request;
 * the loop cost about 900 machine instructions more per authorized request, counted under callgrind, see
 * docs/benchmarks.md). A stage that answers ends the run; one that waits resumes the run after itself.
 */
function run(request: GatewayRequest, from: number): void {
  try {
    if (from <= 0 && stopped(request, 0, framing(request))) return;
    if (from <= 1 && stopped(request, 1, upgradeRules(request))) return;
    if (from <= 2 && stopped(request, 2, route(request))) return;
    if (from <= 3 && stopped(request, 3, sourceRules(request))) return;
    if (from <= 4 && stopped(request, 4, routeAnswers(request))) return;
    if (from <= 5 && stopped(request, 5, bodyLimit(request))) return;
    if (from <= 6 && stopped(request, 6, rateLimitBeforeAuth(request))) return;
    if (from <= 7 && stopped(request, 7, authorize(request))) return;
    if (from <= 8 && stopped(request, 8, rateLimitBySubject(request))) return;
    if (from <= 9 && stopped(request, 9, headerRules(request))) return;
    if (from <= 10 && stopped(request, 10, traceContext(request))) return;
    if (from <= 11 && stopped(request, 11, bufferBody(request))) return;
    stopped(request, 12, forward(request));
  } catch (error) {
    request.internalError(error);
  }
}

/** Whether stage `at` ended the run: it answered, or it waits (the run resumes after it). */
function stopped(request: GatewayRequest, at: number, step: Step): boolean {
  if (step === NEXT) return false;
  if (typeof step === 'number') return true;
  // only stages that had to wait get here: one closure per wait, never on the synchronous path
  step.then((outcome: Outcome) => resume(request, at + 1, outcome), (error: unknown) => request.internalError(error));
  return true;
}

function resume(request: GatewayRequest, next: number, outcome: Outcome): void {
  // the client may have left while the stage waited
  if (outcome === NEXT && !request.done) run(request, next);
}
