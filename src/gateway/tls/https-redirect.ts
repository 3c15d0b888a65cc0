/**
 * `redirect_https` on a plain-HTTP frontend: every request is answered 308 (method and body kept) with
 * the same host and path over https, on the configured port (default 443, left out of the URL).
 * `hsts` on a TLS frontend: the Strict-Transport-Security value added to its responses.
 */
import type { ClientResponse } from '../http1/index.js';
import type { HstsConfig, RedirectHttpsConfig } from './schema.js';

export function redirectPort(config: RedirectHttpsConfig): number {
  return config === true ? 443 : (config.port ?? 443);
}

/** `host` is the validated host name (no port); `path` the request-target as received (already checked). */
export function httpsLocation(host: string, port: number, path: string): string {
  return `https://${host}${port === 443 ? '' : `:${port}`}${path}`;
}

/** No HSTS here: browsers ignore it over plain HTTP (RFC 6797 §8.1). */
export function sendHttpsRedirect(res: ClientResponse, location: string): number {
  const body = `Permanent Redirect: ${location}\n`;
  res.writeHead(308, { location, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
  return Buffer.byteLength(body);
}

export function hstsHeaderValue(config: HstsConfig | undefined): string | undefined {
  if (config === undefined) return undefined;
  return `max-age=${config.max_age}${config.include_subdomains ? '; includeSubDomains' : ''}${config.preload ? '; preload' : ''}`;
}
