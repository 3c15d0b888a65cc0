/**
 * The route table of one frontend, compiled once per config load: first match wins over
 * host (exact or `*.suffix`), path_prefix (segment-aware: `/api` matches `/api`, `/api/x`, `/api;v=1`,
 * not `/apix`) and methods; the frontend's default backend catches the rest.
 *
 * Near misses cannot fail open. A path that begins with a guarded route's prefix as a string but not at
 * a segment boundary (`/private.json`, `/private%3Bx`, `/privatex` for a `/private` route with auth, source rules or an error `return`) is
 * what HAProxy's `path_beg /private` and nginx's `location /private` send to that route (for a prefix
 * `/private/`, the near misses are `/private` itself and `/private;x` or `/private%3Bx`, which servlet
 * containers read as it). Gatehouse does
 * not let such a path fall to a later route or the default backend with other admission rules: it is
 * answered 404 (`match` returns undefined), unless a later route with a longer prefix matches it
 * segment-wise (`/private-docs` listed after `/private`: the operator named that path).
 */
import type { Condition, RequestFacts } from './conditions.js';

export interface RouteMatcher<T> {
  readonly hosts: ReadonlySet<string> | undefined;
  readonly hostSuffixes: readonly string[] | undefined;
  readonly prefix: string | undefined;
  /** The prefix without its trailing `/` (`/private/` → `/private`). */
  readonly stem: string | undefined;
  readonly methods: ReadonlySet<string> | undefined;
  /** The route's `match` conditions, compiled (undefined: none). */
  readonly when: Condition | undefined;
  /** What a request of this route must pass (see RouteSpec.guard); undefined: nothing. */
  readonly guard: string | undefined;
  readonly target: T;
}

export interface RouteSpec<T> {
  readonly host?: string | readonly string[] | undefined;
  readonly path_prefix?: string | undefined;
  readonly methods?: readonly string[] | undefined;
  /** Further conditions (route/conditions.ts), tested after host, methods and path_prefix. */
  readonly when?: Condition | undefined;
  /**
   * A key naming what a request of this route must pass (auth policy and requirements, source rules, or
   * a fixed answer), equal for routes that admit the same requests; undefined when the route admits any
   * request. Near misses of a guarded route are refused unless they would reach the same guard.
   */
  readonly guard?: string | undefined;
  readonly target: T;
}

function compile<T>(spec: RouteSpec<T>): RouteMatcher<T> {
  const hostList = spec.host === undefined ? undefined : typeof spec.host === 'string' ? [spec.host] : spec.host;
  const exact = hostList?.filter((h) => !h.startsWith('*.'));
  const wildcard = hostList?.filter((h) => h.startsWith('*.')).map((h) => h.slice(1));
  const prefix = spec.path_prefix === undefined || spec.path_prefix === '/' ? undefined : spec.path_prefix;
  return {
    hosts: exact === undefined ? undefined : new Set(exact),
    hostSuffixes: wildcard === undefined || wildcard.length === 0 ? undefined : wildcard,
    prefix,
    stem: prefix?.endsWith('/') === true ? prefix.slice(0, -1) : prefix,
    methods: spec.methods === undefined ? undefined : new Set(spec.methods),
    when: spec.when,
    guard: spec.guard,
    target: spec.target,
  };
}

/**
 * `path` starts with `stem`: 1 when the rest is a segment boundary under `prefix` (a match), -1 when it
 * is a near miss (`/privatex` for `/private`; `/private`, `/private;x` or `/private%3Bx` for `/private/`),
 * 0 otherwise.
 */
function fit(prefix: string, stem: string, path: string): number {
  const next = path.length === stem.length ? -1 : path.charCodeAt(stem.length);
  if (prefix.length === stem.length) return next === -1 || next === 0x2f || next === 0x3b ? 1 : -1;
  if (next === 0x2f) return 1;
  return next === -1 || next === 0x3b || (next === 0x25 && path.startsWith('%3B', stem.length)) ? -1 : 0;
}

function hostMatches(route: RouteMatcher<unknown>, host: string): boolean {
  if (route.hosts !== undefined && route.hosts.has(host)) return true;
  const suffixes = route.hostSuffixes;
  if (suffixes !== undefined) {
    for (let i = 0; i < suffixes.length; i++) {
      const suffix = suffixes[i] as string;
      if (host.length > suffix.length && host.endsWith(suffix)) return true;
    }
  }
  return false;
}

export class Router<T> {
  readonly routes: readonly RouteMatcher<T>[];
  readonly fallback: T | undefined;
  /** The default backend's guard (see RouteSpec.guard). */
  readonly fallbackGuard: string | undefined;
  /** True when some route looks at the host, so the request's host is worth extracting. */
  readonly usesHost: boolean;

  constructor(specs: readonly RouteSpec<T>[], fallback: T | undefined, fallbackGuard?: string) {
    this.routes = specs.map(compile);
    this.fallback = fallback;
    this.fallbackGuard = fallbackGuard;
    this.usesHost = this.routes.some((r) => r.hosts !== undefined || r.hostSuffixes !== undefined);
  }

  /**
   * `host` is lower-case without port ('' when unknown); `path` is normalised, without query; `facts`
   * what `match` conditions read (needed when a route has them).
   * Undefined: no route and no default backend, or a refused near miss (both 404).
   */
  match(host: string, path: string, method: string, facts?: RequestFacts): T | undefined {
    const routes = this.routes;
    let nearMiss: RouteMatcher<T> | undefined;
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i] as RouteMatcher<T>;
      if ((route.hosts !== undefined || route.hostSuffixes !== undefined) && !hostMatches(route, host)) continue;
      if (route.methods !== undefined && !route.methods.has(method)) continue;
      const prefix = route.prefix;
      if (prefix !== undefined) {
        const stem = route.stem as string;
        if (!path.startsWith(stem)) continue;
        const how = fit(prefix, stem, path);
        if (how !== 1) {
          if (how === -1 && route.guard !== undefined && nearMiss === undefined && (route.when === undefined || route.when(facts as RequestFacts))) nearMiss = route;
          continue;
        }
      }
      if (route.when !== undefined && !route.when(facts as RequestFacts)) continue;
      if (nearMiss === undefined || (prefix !== undefined && prefix.length > (nearMiss.stem as string).length) || route.guard === nearMiss.guard) return route.target;
      return undefined;
    }
    if (nearMiss === undefined || this.fallback === undefined || this.fallbackGuard === nearMiss.guard) return this.fallback;
    return undefined;
  }
}
