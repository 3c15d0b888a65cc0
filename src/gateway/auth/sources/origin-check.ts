/**
 * The CSRF defence for cookie-carried tokens: a browser attaches cookies to cross-site requests, so a
 * request whose token came from a cookie and whose method can change state (anything but GET, HEAD,
 * OPTIONS, TRACE — RFC 9110 §9.2.1 safe methods) must show that it comes from one of the policy's
 * `allowed_origins`. The `Origin` header decides when present (every browser sends it on cross-origin
 * and on same-origin non-GET requests); without it the origin of `Referer` decides; with neither, or
 * with `Origin: null` (sandboxed frames, some redirects), the request is refused.
 *
 * Requests whose token came from the Authorization header are never checked: a browser does not attach
 * that header on its own, so a cross-site page cannot make it send one.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const ORIGIN_OK = 0;
export const ORIGIN_MISSING = 1;
export const ORIGIN_FOREIGN = 2;
export type OriginVerdict = typeof ORIGIN_OK | typeof ORIGIN_MISSING | typeof ORIGIN_FOREIGN;

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export class OriginCheck {
  private readonly allowed: ReadonlySet<string>;

  /** `allowed`: serialised origins (`scheme://host[:port]`, lower case, default port omitted), validated by config.ts. */
  constructor(allowed: readonly string[]) {
    this.allowed = new Set(allowed);
  }

  check(method: string, headers: IncomingHttpHeaders): OriginVerdict {
    if (SAFE_METHODS.has(method)) return ORIGIN_OK;
    const origin = headers.origin;
    if (typeof origin === 'string') return this.allowed.has(origin.toLowerCase()) ? ORIGIN_OK : ORIGIN_FOREIGN;
    const referer = headers.referer;
    if (typeof referer !== 'string' || referer === '') return ORIGIN_MISSING;
    const fromReferer = originOf(referer);
    if (fromReferer === undefined) return ORIGIN_FOREIGN;
    return this.allowed.has(fromReferer) ? ORIGIN_OK : ORIGIN_FOREIGN;
  }
}

/** The serialised origin of an absolute http(s) URL, or undefined when it is not one. */
export function originOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  return parsed.origin;
}
