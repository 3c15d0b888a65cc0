/**
 * The hosted backend's cookies, as FusionAuth sets them: `app.at` (access token, HttpOnly), `app.at_exp`
 * (its expiry in epoch seconds, readable by the app's JavaScript: the SDK's `isLoggedIn`), `app.idt` (id
 * token, readable, with `openid`), `app.rt` (refresh token, HttpOnly, with `offline_access`) and
 * `app.pkce_v` (the PKCE verifier between `/app/login` and `/app/callback`, HttpOnly). All SameSite=Lax,
 * Secure over TLS or behind an https public URL (http/secure-cookies.ts).
 *
 * Domain: FusionAuth's rule, the broadest domain of the server's host that is not a public suffix
 * (`auth.example.com` → `example.com`, `auth.example.co.uk` → `example.co.uk`), so an app on a sibling
 * host can read `app.at_exp`; an IP address, `localhost` or a one-label host gets host-only cookies
 * (cookies ignore ports: an app on `localhost:5173` and the server on `localhost:9011` share them).
 * `app.rt` and `app.pkce_v` are scoped to `/app`, the only paths that read them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { secureCookie } from '../../http/secure-cookies.js';

export const ACCESS_TOKEN = 'app.at';
export const ACCESS_EXPIRY = 'app.at_exp';
export const ID_TOKEN = 'app.idt';
export const REFRESH_TOKEN = 'app.rt';
export const PKCE_VERIFIER = 'app.pkce_v';

/** Second-level labels under a two-letter country code that are public suffixes themselves (co.uk, com.au...). */
const SECOND_LEVEL = new Set(['ac', 'co', 'com', 'edu', 'gov', 'net', 'org', 'ne', 'or', 'go', 'gv', 'mil', 'nic', 'ltd', 'plc', 'sch', 'gob']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function cookieDomain(hostname: string): string | undefined {
  const host = hostname.toLowerCase();
  if (host.includes(':') || host.startsWith('[') || IPV4.test(host) || !host.includes('.') || host === 'localhost' || host.endsWith('.localhost')) return undefined;
  const labels = host.split('.');
  const keep = labels.at(-1)!.length === 2 && SECOND_LEVEL.has(labels.at(-2)!) ? 3 : 2;
  return labels.length < keep ? undefined : labels.slice(-keep).join('.');
}

interface Options {
  httpOnly: boolean;
  /** Seconds; 0 deletes. */
  maxAge: number;
  path?: string;
}

function serialize(request: FastifyRequest, name: string, value: string, options: Options): string {
  const domain = cookieDomain(request.hostname);
  return [
    `${name}=${value}`,
    `Max-Age=${options.maxAge}`,
    ...(domain === undefined ? [] : [`Domain=${domain}`]),
    `Path=${options.path ?? '/'}`,
    ...(options.httpOnly ? ['HttpOnly'] : []),
    'SameSite=Lax',
    ...(secureCookie(request) ? ['Secure'] : []),
  ].join('; ');
}

const PKCE_SECONDS = 600;

export function setVerifierCookie(request: FastifyRequest, reply: FastifyReply, verifier: string): void {
  void reply.header('set-cookie', serialize(request, PKCE_VERIFIER, verifier, { httpOnly: true, maxAge: PKCE_SECONDS, path: '/app' }));
}

export function clearVerifierCookie(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('set-cookie', serialize(request, PKCE_VERIFIER, '', { httpOnly: true, maxAge: 0, path: '/app' }));
}

/** The token response of the code or refresh grant. */
export interface TokenBody {
  access_token?: unknown;
  expires_in?: unknown;
  id_token?: unknown;
  refresh_token?: unknown;
}

/** The `exp` claim of a JWT we just issued (no verification needed), or undefined. */
function expiryOf(jwt: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets the cookies of a token response; `refreshSeconds` is the refresh token's lifetime. `app.at_exp` is
 * the access token's own `exp`, so the SDK's idea of "signed in" ends exactly when the token does.
 */
export function setTokenCookies(request: FastifyRequest, reply: FastifyReply, body: TokenBody, nowMs: number, refreshSeconds: number): void {
  const nowS = Math.floor(nowMs / 1000);
  const cookies: string[] = [];
  let ttl = typeof body.expires_in === 'number' ? body.expires_in : 0;
  if (typeof body.access_token === 'string') {
    const exp = expiryOf(body.access_token) ?? nowS + ttl;
    ttl = Math.max(0, exp - nowS);
    cookies.push(serialize(request, ACCESS_TOKEN, body.access_token, { httpOnly: true, maxAge: ttl }));
    cookies.push(serialize(request, ACCESS_EXPIRY, String(exp), { httpOnly: false, maxAge: ttl }));
  }
  if (typeof body.id_token === 'string') cookies.push(serialize(request, ID_TOKEN, body.id_token, { httpOnly: false, maxAge: ttl }));
  if (typeof body.refresh_token === 'string') cookies.push(serialize(request, REFRESH_TOKEN, body.refresh_token, { httpOnly: true, maxAge: refreshSeconds, path: '/app' }));
  void reply.header('set-cookie', cookies);
}

export function clearTokenCookies(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('set-cookie', [
    serialize(request, ACCESS_TOKEN, '', { httpOnly: true, maxAge: 0 }),
    serialize(request, ACCESS_EXPIRY, '', { httpOnly: false, maxAge: 0 }),
    serialize(request, ID_TOKEN, '', { httpOnly: false, maxAge: 0 }),
    serialize(request, REFRESH_TOKEN, '', { httpOnly: true, maxAge: 0, path: '/app' }),
  ]);
}
