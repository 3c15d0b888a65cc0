/**
 * FusionAuth's SSO session of the hosted login pages: one interactive sign-in, then `/oauth2/authorize`
 * for any application of the same tenant completes without the form while the session lives.
 *
 * The browser holds a random 256-bit value in the `fusionauth.sso` cookie (HttpOnly, SameSite=Lax, Secure
 * over TLS); the database (table `sso_sessions`) holds only its SHA-256, so every instance on the database
 * shares the sessions and a database leak gives no usable cookie. The lifetime is the tenant's
 * `httpSessionMaxInactiveInterval` (seconds, FusionAuth's default 3600; 0 turns SSO off), counted from the
 * session's last use (FusionAuth names it an inactivity interval). "Keep me signed in" (`rememberDevice`)
 * makes the cookie persistent for that long; otherwise it ends with the browser session. A session ends
 * at `/oauth2/logout`, when the user is deactivated or deleted, and when the password changes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/secrets.js';
import type { SsoSession, Tenant, User } from '../model/types.js';
import { cookie } from './session.js';
import { secureAttribute } from '../http/secure-cookies.js';

export const SSO_COOKIE = 'fusionauth.sso';
export const DEFAULT_SSO_SECONDS = 3600;
const VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The tenant's SSO lifetime in seconds (`httpSessionMaxInactiveInterval`); 0 means no SSO sessions. */
export function ssoLifetimeSeconds(tenant: Tenant): number {
  const value = tenant.httpSessionMaxInactiveInterval;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : DEFAULT_SSO_SECONDS;
}

export interface LiveSession {
  session: SsoSession;
  user: User;
  /** The cookie value (needed to re-set a persistent cookie). */
  value: string;
}

export interface NewSession {
  tenant: Tenant;
  user: User;
  authTime: number;
  persistent: boolean;
  applicationId: string;
}

function setCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAge: number | undefined): void {
  const secure = secureAttribute(request);
  const age = maxAge === undefined ? '' : `; Max-Age=${maxAge}`;
  void reply.header('set-cookie', `${SSO_COOKIE}=${value}${age}; Path=/; HttpOnly; SameSite=Lax${secure}`);
}

export function clearSsoCookie(request: FastifyRequest, reply: FastifyReply): void {
  setCookie(request, reply, '', 0);
}

/** The request's SSO cookie value when it is well formed. */
export function ssoCookieValue(request: FastifyRequest): string | undefined {
  const value = cookie(request, SSO_COOKIE);
  return value !== undefined && VALUE.test(value) ? value : undefined;
}

/**
 * Starts a session after an interactive sign-in and sets its cookie; the session the browser had before
 * (if any) is ended, so a value planted before sign-in is worthless after it. Returns undefined (and sets
 * nothing) when the tenant turns SSO off.
 */
export async function startSsoSession(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, input: NewSession): Promise<SsoSession | undefined> {
  const previous = ssoCookieValue(request);
  if (previous !== undefined) await ctx.storage.ssoSessions.delete(sha256Hex(previous));
  const lifetime = ssoLifetimeSeconds(input.tenant);
  if (lifetime === 0) {
    if (previous !== undefined) clearSsoCookie(request, reply);
    return undefined;
  }
  const now = ctx.now();
  await ctx.storage.deleteExpiredSsoSessions(now);
  const value = randomToken(32);
  const session: SsoSession = {
    id: sha256Hex(value),
    tenantId: input.tenant.id,
    userId: input.user.id,
    authTime: input.authTime,
    persistent: input.persistent,
    ...(input.user.passwordLastUpdateInstant === undefined ? {} : { passwordInstant: input.user.passwordLastUpdateInstant }),
    applicationIds: [input.applicationId],
    insertInstant: now,
    lastAccessInstant: now,
    expiresInstant: now + lifetime * 1000,
  };
  await ctx.storage.ssoSessions.insert(session);
  setCookie(request, reply, value, input.persistent ? lifetime : undefined);
  return session;
}

/**
 * The live session of the request's cookie for this tenant: not past the tenant's lifetime since its last
 * use, of an active user whose password has not changed since. An expired or stale session is deleted.
 */
export async function findSsoSession(ctx: IdpContext, request: FastifyRequest, tenant: Tenant): Promise<LiveSession | undefined> {
  const value = ssoCookieValue(request);
  if (value === undefined) return undefined;
  const session = await ctx.storage.ssoSessions.get(sha256Hex(value));
  if (session === undefined || session.tenantId !== tenant.id) return undefined;
  const lifetime = ssoLifetimeSeconds(tenant);
  const user = await ctx.storage.users.get(session.userId);
  const stale =
    ctx.now() >= session.lastAccessInstant + lifetime * 1000 ||
    user === undefined ||
    !user.active ||
    user.tenantId !== tenant.id ||
    user.passwordLastUpdateInstant !== session.passwordInstant;
  if (stale) {
    await ctx.storage.ssoSessions.delete(session.id);
    return undefined;
  }
  return { session, user, value };
}

/** Records a use of the session by `applicationId`: the lifetime restarts, a persistent cookie is renewed. */
export async function touchSsoSession(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, live: LiveSession, applicationId: string): Promise<void> {
  const now = ctx.now();
  const lifetime = ssoLifetimeSeconds(tenant);
  const applicationIds = live.session.applicationIds.includes(applicationId) ? live.session.applicationIds : [...live.session.applicationIds, applicationId];
  await ctx.storage.ssoSessions.update({ ...live.session, applicationIds, lastAccessInstant: now, expiresInstant: now + lifetime * 1000 });
  if (live.session.persistent) setCookie(request, reply, live.value, lifetime);
}

/** Ends the request's session (if any) and clears its cookie; returns the ended session. */
export async function endSsoSession(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply): Promise<SsoSession | undefined> {
  const value = ssoCookieValue(request);
  if (cookie(request, SSO_COOKIE) !== undefined) clearSsoCookie(request, reply);
  if (value === undefined) return undefined;
  const session = await ctx.storage.ssoSessions.get(sha256Hex(value));
  if (session !== undefined) await ctx.storage.ssoSessions.delete(session.id);
  return session;
}
