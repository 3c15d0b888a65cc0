export { normalizePath } from './normalize-path.js';
export { Router, type RouteSpec, type RouteMatcher } from './router.js';
