/**
 * The admission pipeline, written once for every kind of request (HTTP/1.1 on the gateway's own server,
 * HTTP/1.1 and HTTP/2 on node:http's, and upgrades on both): framing (node:http's heads) → upgrade rules → route → source rules →
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
import { NEXT, type Outcome, type Stage } from './stage.js';
import { traceContext } from './trace-context.js';
import { upgradeRules } from './upgrade-rules.js';

const STAGES: readonly Stage[] = [
  framing,
  upgradeRules,
  route,
  sourceRules,
  routeAnswers,
  bodyLimit,
  rateLimitBeforeAuth,
  authorize,
  rateLimitBySubject,
  headerRules,
  traceContext,
  bufferBody,
  forward,
];

/** Runs a request through the pipeline; a thrown error costs this request only. */
export function admit(runtime: FrontendRuntime, req: ClientRequest, res: ClientResponse, started: number, tunnels: Set<Socket>): void {
  run(new GatewayRequest(runtime, req, res, started, tunnels), 0);
}

function run(request: GatewayRequest, from: number): void {
  for (let i = from; i < STAGES.length; i++) {
    let step;
    try {
      step = (STAGES[i] as Stage)(request);
    } catch (error) {
      request.internalError(error);
      return;
    }
    if (step === NEXT) continue;
    if (typeof step === 'number') return;
    // only stages that had to wait get here: one closure per wait, never on the synchronous path
    const next = i + 1;
    step.then((outcome: Outcome) => resume(request, next, outcome), (error: unknown) => request.internalError(error));
    return;
  }
}

function resume(request: GatewayRequest, next: number, outcome: Outcome): void {
  // the client may have left while the stage waited
  if (outcome === NEXT && !request.done) run(request, next);
}
