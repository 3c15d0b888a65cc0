/**
 * The route table of one frontend, compiled once per config load: first match wins over
 * host (exact or `*.suffix`), path_prefix (segment-aware: `/api` matches `/api`, `/api/x`, `/api;v=1`,
 * not `/apix`) and methods; the frontend's default backend catches the rest.
 */
export interface RouteMatcher<T> {
  readonly hosts: ReadonlySet<string> | undefined;
  readonly hostSuffixes: readonly string[] | undefined;
  readonly prefix: string | undefined;
  readonly methods: ReadonlySet<string> | undefined;
  readonly target: T;
}

export interface RouteSpec<T> {
  readonly host?: string | readonly string[] | undefined;
  readonly path_prefix?: string | undefined;
  readonly methods?: readonly string[] | undefined;
  readonly target: T;
}

function compile<T>(spec: RouteSpec<T>): RouteMatcher<T> {
  const hostList = spec.host === undefined ? undefined : typeof spec.host === 'string' ? [spec.host] : spec.host;
  const exact = hostList?.filter((h) => !h.startsWith('*.'));
  const wildcard = hostList?.filter((h) => h.startsWith('*.')).map((h) => h.slice(1));
  return {
    hosts: exact === undefined ? undefined : new Set(exact),
    hostSuffixes: wildcard === undefined || wildcard.length === 0 ? undefined : wildcard,
    prefix: spec.path_prefix === undefined || spec.path_prefix === '/' ? undefined : spec.path_prefix,
    methods: spec.methods === undefined ? undefined : new Set(spec.methods),
    target: spec.target,
  };
}

function prefixMatches(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  if (path.length === prefix.length || prefix.charCodeAt(prefix.length - 1) === 0x2f) return true;
  const next = path.charCodeAt(prefix.length);
  return next === 0x2f || next === 0x3b;
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
  /** True when some route looks at the host, so the request's host is worth extracting. */
  readonly usesHost: boolean;

  constructor(specs: readonly RouteSpec<T>[], fallback: T | undefined) {
    this.routes = specs.map(compile);
    this.fallback = fallback;
    this.usesHost = this.routes.some((r) => r.hosts !== undefined || r.hostSuffixes !== undefined);
  }

  /** `host` is lower-case without port ('' when unknown); `path` is normalised, without query. */
  match(host: string, path: string, method: string): T | undefined {
    const routes = this.routes;
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i] as RouteMatcher<T>;
      if ((route.hosts !== undefined || route.hostSuffixes !== undefined) && !hostMatches(route, host)) continue;
      if (route.prefix !== undefined && !prefixMatches(route.prefix, path)) continue;
      if (route.methods !== undefined && !route.methods.has(method)) continue;
      return route.target;
    }
    return this.fallback;
  }
}
