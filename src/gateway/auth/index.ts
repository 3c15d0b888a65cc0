/**
 * Public surface of JWT authorization: the config schema of one policy, the factory that builds it,
 * the metrics registry the gateway merges into /metrics, and the request/decision contract (types.ts).
 */
export type { AuthPolicy, AuthDecision, AuthAllow, AuthDeny, AuthRequest, RouteRequirements } from './types.js';
export { authPolicySchema, ALGORITHMS } from './config.js';
export type { AuthPolicyConfig, AuthPolicyConfigInput, Algorithm } from './config.js';
export { createAuthPolicy } from './create-policy.js';
export type { AuthPolicyContext } from './create-policy.js';
export { authMetricsRegistry } from './metrics.js';
export { DENY_CODES, DENY_REASONS } from './reasons.js';
export type { DenyReason } from './reasons.js';
export { SEED_BODIES } from './response.js';
export { DEFAULTS as AUTH_DEFAULTS } from './defaults.js';
export type { AuthLogger } from './logging.js';
