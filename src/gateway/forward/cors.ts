/**
 * CORS for browser clients (the Fetch standard's CORS protocol), on a frontend or a route (a route's
 * block replaces its frontend's): the gateway answers preflights itself — before authorization, since a
 * preflight carries no credentials — and adds the Access-Control-* headers to the responses of allowed
 * origins, replacing any the upstream sent. A request from an origin not on the list is proxied without
 * them (the browser then withholds the response); its preflight gets 403.
 */

export interface CorsConfig {
  readonly origins: readonly string[];
  readonly methods: readonly string[];
  readonly headers: readonly string[];
  readonly expose_headers: readonly string[];
  readonly credentials: boolean;
  /** Preflight cache lifetime, ms. */
  readonly max_age: number;
}

export interface CorsPolicy {
  readonly anyOrigin: boolean;
  readonly exact: ReadonlySet<string>;
  /** `https://*.example.com` → [`https://`, `.example.com`]. */
  readonly wildcards: ReadonlyArray<readonly [string, string]>;
  readonly credentials: boolean;
  readonly allowMethods: string;
  readonly allowHeaders: string;
  readonly exposeHeaders: string | undefined;
  readonly maxAgeSeconds: string;
}

/** Response headers a CORS policy owns: an upstream's copies are dropped. */
const OWNED = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age'];

export function compileCors(frontend: CorsConfig | undefined, route: CorsConfig | undefined): CorsPolicy | undefined {
  const config = route ?? frontend;
  if (config === undefined) return undefined;
  const wildcards: Array<readonly [string, string]> = [];
  const exact = new Set<string>();
  for (const origin of config.origins) {
    const star = origin.indexOf('*.');
    if (origin !== '*' && star > 0) wildcards.push([origin.slice(0, star), origin.slice(star + 1)]);
    else if (origin !== '*') exact.add(origin);
  }
  return {
    anyOrigin: config.origins.includes('*'),
    exact,
    wildcards,
    credentials: config.credentials,
    allowMethods: config.methods.join(', '),
    allowHeaders: config.headers.join(', '),
    exposeHeaders: config.expose_headers.length === 0 ? undefined : config.expose_headers.join(', '),
    maxAgeSeconds: String(Math.floor(config.max_age / 1000)),
  };
}

export function originAllowed(policy: CorsPolicy, origin: string): boolean {
  if (policy.anyOrigin || policy.exact.has(origin)) return true;
  for (const [scheme, suffix] of policy.wildcards) {
    if (origin.startsWith(scheme) && origin.endsWith(suffix) && origin.length > scheme.length + suffix.length && !origin.slice(scheme.length, -suffix.length).includes('/')) return true;
  }
  return false;
}

/** Access-Control-Allow-Origin's value: `*` only for any origin without credentials. */
function allowOrigin(policy: CorsPolicy, origin: string): string {
  return policy.anyOrigin && !policy.credentials ? '*' : origin;
}

/** The headers of a preflight answer (204) for an allowed origin. */
export function preflightHeaders(policy: CorsPolicy, origin: string): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-origin': allowOrigin(policy, origin),
    'access-control-allow-methods': policy.allowMethods,
    'access-control-allow-headers': policy.allowHeaders,
    'access-control-max-age': policy.maxAgeSeconds,
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
  if (policy.credentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

/** A flat response header list with the upstream's CORS headers replaced by the policy's (allowed origins only). */
export function withCors(headers: readonly string[], policy: CorsPolicy, origin: string): string[] {
  const out: string[] = [];
  let vary = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const lower = name.toLowerCase();
    if (OWNED.includes(lower)) continue;
    if (lower === 'vary') {
      vary = true;
      const value = headers[i + 1] as string;
      out.push(name, /(^|,)\s*origin\s*(,|$)/i.test(value) ? value : `${value}, Origin`);
      continue;
    }
    out.push(name, headers[i + 1] as string);
  }
  out.push('access-control-allow-origin', allowOrigin(policy, origin));
  if (!vary) out.push('vary', 'Origin');
  if (policy.credentials) out.push('access-control-allow-credentials', 'true');
  if (policy.exposeHeaders !== undefined) out.push('access-control-expose-headers', policy.exposeHeaders);
  return out;
}
