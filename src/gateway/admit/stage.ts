/**
 * The contract every admission stage keeps: look at the request, then either let it go on (`NEXT`) or
 * answer it (`ANSWERED`: the stage wrote the response and finished the request). A stage that must wait
 * (a rate limit in Redis, a JWKS fetch) returns a Promise of the same; a stage that can decide at once
 * returns the plain value, so the common path allocates no promise and no closure.
 */
import type { GatewayRequest } from './gateway-request.js';

export const NEXT = 0;
export const ANSWERED = 1;
export type Outcome = typeof NEXT | typeof ANSWERED;
export type Step = Outcome | Promise<Outcome>;

export type Stage = (request: GatewayRequest) => Step;
