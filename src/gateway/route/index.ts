export { normalizePath } from './normalize-path.js';
export { Router, type RouteSpec, type RouteMatcher } from './router.js';
export { admissionGuard, type GuardedTarget } from './guard.js';
export { compileMatch, headerValues, type Condition, type MatchTerm, type RequestFacts, type StringTest } from './conditions.js';
