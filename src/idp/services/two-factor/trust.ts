/**
 * Trusted devices (FusionAuth's `twoFactorTrustId`): after a second factor with `trustComputer`, the device
 * gets a random id (cookie `fusionauth.trust`, and `twoFactorTrustId` in the API answer) that skips the
 * challenge for that user until the tenant's `twoFactorTrustIdTimeToLiveInSeconds` runs out. Only its
 * SHA-256 is stored. Adding or removing a method forgets every trusted device of the user.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../../context.js';
import { randomToken, sha256Hex } from '../../crypto/secrets.js';
import type { Tenant, TwoFactorTrust } from '../../model/types.js';
import { cookie } from '../session.js';
import { trustTtlSeconds } from './policy.js';
import { secureAttribute } from '../../http/secure-cookies.js';

export const TRUST_COOKIE = 'fusionauth.trust';

export async function issueTrust(ctx: IdpContext, tenant: Tenant, userId: string): Promise<{ value: string; maxAgeSeconds: number }> {
  const now = ctx.now();
  const value = randomToken(32);
  const ttl = trustTtlSeconds(tenant);
  const record: TwoFactorTrust = { id: sha256Hex(value), tenantId: tenant.id, userId, insertInstant: now, expiresInstant: now + ttl * 1000 };
  await ctx.storage.twoFactorTrusts.insert(record);
  return { value, maxAgeSeconds: ttl };
}

export async function isTrusted(ctx: IdpContext, userId: string, value: string | undefined): Promise<boolean> {
  if (value === undefined || value === '' || value.length > 200) return false;
  const record = await ctx.storage.twoFactorTrusts.get(sha256Hex(value));
  return record !== undefined && record.userId === userId && record.expiresInstant > ctx.now();
}

export async function forgetTrusts(ctx: IdpContext, userId: string): Promise<void> {
  await ctx.storage.twoFactorTrusts.deleteWhere({ user_id: userId });
}

/** The trust id a request presents: the `fusionauth.trust` cookie wins over the body's `twoFactorTrustId`, as in FusionAuth. */
export function presentedTrust(request: FastifyRequest, bodyValue?: string): string | undefined {
  return cookie(request, TRUST_COOKIE) ?? bodyValue;
}

export function trustCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  return `${TRUST_COOKIE}=${value}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; SameSite=Lax${secureAttribute(request)}`;
}

/** Adds a Set-Cookie header without dropping the ones already set. */
export function appendCookie(reply: FastifyReply, value: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  void reply.header('set-cookie', [...list, value]);
}
