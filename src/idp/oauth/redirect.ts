/**
 * Redirect URIs: the request's `redirect_uri` must equal one of the application's
 * `authorizedRedirectURLs` character for character (no prefix, wildcard or normalisation tricks), and be
 * an absolute URL without a fragment. An untrusted redirect URI is never redirected to: the caller shows
 * an error page instead (RFC 6749 §4.1.2.1).
 */
import type { Application } from '../model/types.js';

export function authorizedRedirects(application: Application): readonly string[] {
  const list = application.oauthConfiguration.authorizedRedirectURLs;
  return Array.isArray(list) ? list.filter((u): u is string => typeof u === 'string') : [];
}

/** True when `uri` is one of the application's authorized redirect URLs, exactly. */
export function isAuthorizedRedirect(application: Application, uri: string): boolean {
  if (uri.includes('#')) return false;
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return false;
  }
  if (parsed.protocol === 'javascript:' || parsed.protocol === 'data:' || parsed.protocol === 'vbscript:') return false;
  return authorizedRedirects(application).includes(uri);
}

/** `uri` with `params` appended to its query (keeping the query it already has). */
export function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}
