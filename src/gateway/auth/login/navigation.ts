/**
 * Whether a request is a browser navigation (answered with a redirect to the IdP) or not (answered 401 —
 * a redirect would hand a fetch()/XHR caller an HTML login page it cannot use). A navigation is a GET or
 * HEAD that asks for HTML, and neither says it is something else with Sec-Fetch-Mode nor X-Requested-With.
 */
import type { IncomingHttpHeaders } from 'node:http';

export function isNavigation(method: string, headers: IncomingHttpHeaders): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const mode = headers['sec-fetch-mode'];
  if (mode !== undefined && mode !== 'navigate') return false;
  if (headers['x-requested-with'] !== undefined) return false;
  const accept = headers.accept;
  return typeof accept === 'string' && accept.toLowerCase().includes('text/html');
}

/** A return path the callback may redirect to: same-origin, relative, never `//host` or `/\host`. */
export function safeReturnPath(target: string | undefined): string {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return '/';
  // control characters or backslashes anywhere could be read as another origin by some browsers
  if (/[\x00-\x1f\x7f\\]/.test(target)) return '/';
  return target;
}
