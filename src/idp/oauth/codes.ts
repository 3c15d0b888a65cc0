/**
 * Authorization codes: 32 random bytes, stored only as their SHA-256, valid for the tenant's
 * `externalIdentifierConfiguration.authorizationGrantIdTimeToLiveInSeconds` (FusionAuth's default: 30 s)
 * and redeemable once. Redeeming is a compare-and-set on the `used` column, so two parallel exchanges
 * cannot both win. A code presented again after its exchange is a replay (RFC 6749 §4.1.2): it is refused
 * and the refresh token issued from it is revoked; the access token's `jti` is kept so introspection
 * reports it inactive.
 */
import type { IdpContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/secrets.js';
import type { AuthorizationCode, Tenant } from '../model/types.js';
import { OAuthError } from './errors.js';

const DEFAULT_TTL_SECONDS = 30;
/** Used codes are kept this long past their expiry, to recognise replays. */
const KEEP_USED_MS = 24 * 3600 * 1000;

export function codeTtlSeconds(tenant: Tenant): number {
  const config = tenant.externalIdentifierConfiguration as { authorizationGrantIdTimeToLiveInSeconds?: unknown } | undefined;
  const ttl = config?.authorizationGrantIdTimeToLiveInSeconds;
  return typeof ttl === 'number' && Number.isInteger(ttl) && ttl > 0 && ttl <= 600 ? ttl : DEFAULT_TTL_SECONDS;
}

export type NewCode = Omit<AuthorizationCode, 'id' | 'insertInstant' | 'expiresInstant' | 'used'>;

/** Stores a new code and returns its value (the only time it exists in clear). */
export async function createCode(ctx: IdpContext, tenant: Tenant, fields: NewCode): Promise<string> {
  const now = ctx.now();
  await ctx.storage.deleteExpiredCodes(now - KEEP_USED_MS);
  const value = randomToken(32);
  const record: AuthorizationCode = { ...fields, id: sha256Hex(value), insertInstant: now, expiresInstant: now + codeTtlSeconds(tenant) * 1000, used: false };
  await ctx.storage.authorizationCodes.insert(record);
  return value;
}

const notFound = (): never => {
  throw new OAuthError('invalid_grant', 'auth_code_not_found', 'The authorization code is not valid, has expired or was already used.');
};

/** Revokes what an exchange of `record` issued (a replay was seen). */
async function revokeIssued(ctx: IdpContext, record: AuthorizationCode): Promise<void> {
  await ctx.storage.authorizationCodes.update({ ...record, revoked: true });
  if (record.refreshTokenId !== undefined) await ctx.storage.refreshTokens.delete(record.refreshTokenId);
  ctx.logger.warn({ event: 'oauth.code_replay', applicationId: record.applicationId, userId: record.userId }, 'authorization code replayed; the tokens issued from it are revoked');
}

/**
 * Marks the code used and returns it; a replay revokes its tokens and throws invalid_grant. `check` runs
 * before the code is marked used: an exchange it refuses (a wrong `redirect_uri` or PKCE verifier) does
 * not burn the code, so the legitimate client can still redeem it within its short life. (RFC 6749 asks
 * for single-use codes, and one *successful* exchange still uses it; a failed one issued nothing. A
 * guess cannot succeed instead: the verifier has 256 bits and the redirect URI is fixed.)
 */
export async function redeemCode(ctx: IdpContext, value: string, applicationId: string, check: (record: AuthorizationCode) => void = () => undefined): Promise<AuthorizationCode> {
  const record = await ctx.storage.authorizationCodes.get(sha256Hex(value));
  if (record === undefined || record.applicationId !== applicationId) return notFound();
  if (record.used) {
    await revokeIssued(ctx, record);
    return notFound();
  }
  if (record.expiresInstant <= ctx.now()) return notFound();
  check(record);
  const used: AuthorizationCode = { ...record, used: true };
  if (!(await ctx.storage.authorizationCodes.update(used, { used: 0 }))) {
    const current = await ctx.storage.authorizationCodes.get(record.id);
    if (current !== undefined) await revokeIssued(ctx, current);
    return notFound();
  }
  return used;
}

/** Records what the exchange issued; if a replay revoked the code meanwhile, revokes it at once. */
export async function recordIssued(ctx: IdpContext, code: AuthorizationCode, accessTokenJti: string, refreshTokenId: string | undefined): Promise<void> {
  const current = (await ctx.storage.authorizationCodes.get(code.id)) ?? code;
  const next: AuthorizationCode = { ...current, accessTokenJti, ...(refreshTokenId === undefined ? {} : { refreshTokenId }) };
  await ctx.storage.authorizationCodes.update(next);
  if (current.revoked === true) await revokeIssued(ctx, next);
}

/** True when an access token (by jti) came from a code that was later replayed. */
export async function revokedByReplay(ctx: IdpContext, jti: string): Promise<boolean> {
  const record = await ctx.storage.authorizationCodes.findOne({ jti });
  return record?.revoked === true;
}
