/**
 * Checks a request before routing, beyond what Node's parser (llhttp) already refuses:
 * exactly one valid Host (Node keeps the first of two: jwt-attacks.md I14, I17), no fragment (I13),
 * absolute-form only when its authority equals Host (I16), and the path normalised (I12).
 */
import { normalizePath } from '../route/index.js';

const HOST_VALUE = /^(?:[A-Za-z0-9\-._~!$&'()*+;=%]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Returns the Host value ('' when absent, allowed only for HTTP/1.0), or undefined when there are
 * two Host headers or the value is malformed.
 */
export function checkHost(rawHeaders: readonly string[], httpVersionMinor: number): string | undefined {
  let host: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (host !== undefined) return undefined;
      host = rawHeaders[i + 1] as string;
    }
  }
  if (host === undefined) return httpVersionMinor === 0 ? '' : undefined;
  return HOST_VALUE.test(host) ? host : undefined;
}

/**
 * HTTP/2: the host is `:authority` (or a Host header); undefined (400) when neither is there, the value is
 * malformed, or both are there and differ.
 */
export function checkAuthority(authority: string | undefined, host: string | string[] | undefined): string | undefined {
  if (Array.isArray(host)) return undefined;
  if (authority !== undefined && host !== undefined && authority.toLowerCase() !== host.toLowerCase()) return undefined;
  const value = authority ?? host;
  return value !== undefined && HOST_VALUE.test(value) ? value : undefined;
}

/** `Example.COM:8080` → `example.com`; `[::1]:80` → `[::1]`. */
export function hostName(host: string): string {
  let end = host.length;
  if (host.charCodeAt(0) === 0x5b) end = host.indexOf(']') + 1;
  else {
    const colon = host.indexOf(':');
    if (colon >= 0) end = colon;
  }
  const name = end === host.length ? host : host.slice(0, end);
  return name.toLowerCase();
}

export interface Target {
  /** Normalised path, no query: what routing and auth see. */
  path: string;
  /** Normalised path plus the original query: what the upstream receives. */
  upstreamPath: string;
}

/** Parses the request-target; undefined means 400. */
export function parseTarget(url: string, host: string): Target | undefined {
  let target = url;
  if (url.charCodeAt(0) !== 0x2f) {
    // absolute-form: http://authority/path — allowed only when the authority matches Host
    const lower = url.slice(0, 8).toLowerCase();
    const schemeEnd = lower.startsWith('http://') ? 7 : lower.startsWith('https://') ? 8 : -1;
    if (schemeEnd < 0) return undefined;
    let end = schemeEnd;
    while (end < url.length && url.charCodeAt(end) !== 0x2f && url.charCodeAt(end) !== 0x3f) end++;
    if (url.slice(schemeEnd, end).toLowerCase() !== host.toLowerCase()) return undefined;
    target = end === url.length ? '/' : url.charCodeAt(end) === 0x3f ? `/${url.slice(end)}` : url.slice(end);
  }
  if (target.includes('#')) return undefined;
  const query = target.indexOf('?');
  const rawPath = query < 0 ? target : target.slice(0, query);
  const path = normalizePath(rawPath);
  if (path === undefined) return undefined;
  return { path, upstreamPath: path === rawPath ? target : query < 0 ? path : path + target.slice(query) };
}
