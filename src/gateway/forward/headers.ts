/**
 * Header rewriting between client and upstream: hop-by-hop headers (Connection and the headers it
 * names, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade unless upgrading, Proxy-*) are removed
 * both ways; X-Forwarded-For/-Proto/-Host are set, keeping client-sent values only from trusted proxies;
 * client copies of every header the gateway sets from authorization, and names with `_` unless allowed,
 * never go upstream (client-headers.ts); an auth policy's removeHeaders/setHeaders are applied to the
 * upstream request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthAllow } from '../auth/index.js';
import { DEFAULT_REQUEST_HEADER_RULES, SKIP_CLAIM, type RequestHeaderRules } from './client-headers.js';
import type { ConnectionInfo } from '../tls/connection-info.js';

const RESPONSE_SKIP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Whether a response header name could be in RESPONSE_SKIP or start with `proxy-`, by its length and first
 * letter: the other names (Server, Date, Content-Type, Content-Length…) skip a lower-cased copy each.
 */
function mayBeHopByHop(name: string): boolean {
  const n = name.length;
  return n === 2 || n === 7 || n === 10 || n === 17 || (n >= 6 && (name.charCodeAt(0) | 0x20) === 0x70);
}

const UNSAFE_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Extra header names named by a Connection header (`Connection: close, X-Foo` → ['x-foo']). */
function connectionTokens(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  // the usual values (nearly every response says one of them) name nothing, and need no split
  if (value.length === 10 || value.length === 5) {
    const lower = value.toLowerCase();
    if (lower === 'keep-alive' || lower === 'close') return undefined;
  }
  let tokens: string[] | undefined;
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token === '' || token === 'close' || token === 'keep-alive' || token === 'upgrade') continue;
    (tokens ??= []).push(token);
  }
  return tokens;
}

export function clientAddress(remote: string | undefined): string {
  if (remote === undefined) return '';
  return remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
}

function listed(list: readonly string[] | undefined, name: string): boolean {
  if (list === undefined) return false;
  for (let i = 0; i < list.length; i++) if (list[i] === name) return true;
  return false;
}

function setListed(list: ReadonlyArray<readonly [string, string]> | undefined, name: string): boolean {
  if (list === undefined) return false;
  for (let i = 0; i < list.length; i++) if ((list[i] as readonly [string, string])[0].toLowerCase() === name) return true;
  return false;
}

const UNDERSCORES = /_/g;

/** Flat [name, value, name, value...] list for the upstream request. */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  client: string,
  trusted: boolean,
  allow: AuthAllow | undefined,
  upgrade: boolean,
  connection?: ConnectionInfo,
  rules: RequestHeaderRules = DEFAULT_REQUEST_HEADER_RULES,
): string[] {
  const out: string[] = [];
  const skip = rules.skip;
  const subjectHeader = connection?.subjectHeader;
  const named = connectionTokens(headers.connection);
  const remove = allow === undefined || allow.removeHeaders.length === 0 ? undefined : allow.removeHeaders;
  const set = allow === undefined || allow.setHeaders.length === 0 ? undefined : allow.setHeaders;
  for (const name in headers) {
    // names arrive lower-cased; one with `_` is compared as CGI-style stacks read it (`x_user` is `x-user`)
    let key = name;
    if (name.includes('_')) {
      if (!rules.underscores) {
        rules.dropped.underscore(name);
        continue;
      }
      key = name.replace(UNDERSCORES, '-');
    }
    const kind = skip.get(key);
    if (kind !== undefined) {
      if (kind === SKIP_CLAIM) rules.dropped.claim(name);
      continue;
    }
    if (key.startsWith('proxy-')) continue;
    // HTTP/2 pseudo-headers (:method, :path, :authority, :scheme) never go upstream; nor a forged subject
    if (name.charCodeAt(0) === 0x3a || key === subjectHeader) continue;
    if (named !== undefined && listed(named, name)) continue;
    if (remove !== undefined && listed(remove, key)) continue;
    if (set !== undefined && setListed(set, key)) continue;
    const value = headers[name];
    if (typeof value === 'string') out.push(name, value);
    else if (value !== undefined) for (let i = 0; i < value.length; i++) out.push(name, value[i] as string);
  }
  const xff = headers['x-forwarded-for'];
  out.push('x-forwarded-for', trusted && xff !== undefined ? `${xff}, ${client}` : client);
  const proto = headers['x-forwarded-proto'];
  out.push('x-forwarded-proto', trusted && typeof proto === 'string' ? proto : (connection?.proto ?? 'http'));
  // an HTTP/2 request names its host in :authority; the HTTP/1.1 upstream needs a Host header
  const authority = headers.host === undefined ? (headers[':authority'] as string | undefined) : undefined;
  if (authority !== undefined) out.push('host', authority);
  const forwardedHost = headers['x-forwarded-host'];
  const host = trusted && typeof forwardedHost === 'string' ? forwardedHost : (headers.host ?? authority);
  if (host !== undefined) out.push('x-forwarded-host', host);
  if (trusted && headers.forwarded !== undefined) out.push('forwarded', headers.forwarded);
  // the frontend's and route's `set`; a claim the auth policy forwards under the same name wins
  if (rules.set.length > 0) for (const [name, value] of rules.set) if (!setListed(set, name.toLowerCase())) out.push(name, value);
  if (set !== undefined) {
    for (let i = 0; i < set.length; i++) {
      const [name, value] = set[i] as readonly [string, string];
      if (!UNSAFE_VALUE.test(value) && !UNSAFE_VALUE.test(name)) out.push(name, value);
    }
  }
  if (subjectHeader !== undefined && connection?.subject !== undefined) out.push(subjectHeader, connection.subject);
  if (upgrade && headers.upgrade !== undefined) out.push('connection', 'Upgrade', 'upgrade', headers.upgrade);
  return out;
}

/** Flat list of the upstream's response headers for the client, hop-by-hop removed. */
export function clientResponseHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  let named: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 10 && name.toLowerCase() === 'connection') named = connectionTokens(raw[i + 1]);
  }
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (named !== undefined || mayBeHopByHop(name)) {
      const lower = name.toLowerCase();
      if (RESPONSE_SKIP.has(lower) || lower.startsWith('proxy-')) continue;
      if (named !== undefined && listed(named, lower)) continue;
    }
    out.push(name, raw[i + 1] as string);
  }
  return out;
}
