/**
 * One-time identifiers handed to users: change-password ids and email verification ids. The value is 32
 * random bytes (base64url, as FusionAuth's default generator), returned once (in an API answer or an
 * email) and stored only as its SHA-256; using it deletes the row, so two uses cannot both win. Issuing a
 * new one of a kind replaces the user's previous ones of that kind. Lifetimes are the tenant's
 * `externalIdentifierConfiguration` (FusionAuth's defaults: 600 s for change-password ids, 24 h for
 * verification ids).
 */
import type { IdpContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/secrets.js';
import type { Json, Tenant, User, UserCode, UserCodeKind } from '../model/types.js';

const TTL_FIELDS: Record<UserCodeKind, [string, number]> = {
  changePassword: ['changePasswordIdTimeToLiveInSeconds', 600],
  emailVerification: ['emailVerificationIdTimeToLiveInSeconds', 86_400],
  registrationVerification: ['registrationVerificationIdTimeToLiveInSeconds', 86_400],
};

export function codeTtlSeconds(tenant: Tenant, kind: UserCodeKind): number {
  const [field, fallback] = TTL_FIELDS[kind];
  const config = tenant.externalIdentifierConfiguration as Record<string, unknown> | undefined;
  const ttl = config?.[field];
  return typeof ttl === 'number' && Number.isInteger(ttl) && ttl > 0 ? ttl : fallback;
}

export interface IssueOptions {
  applicationId?: string;
  email?: string;
  state?: Json;
}

/** Stores a new code for `user` (replacing the user's earlier ones of `kind`) and returns its value. */
export async function issueUserCode(ctx: IdpContext, tenant: Tenant, kind: UserCodeKind, user: User, options: IssueOptions = {}): Promise<string> {
  const now = ctx.now();
  await ctx.storage.deleteExpiredUserCodes(now);
  await ctx.storage.userCodes.deleteWhere({ user_id: user.id, kind });
  const value = randomToken(32);
  const record: UserCode = {
    id: sha256Hex(value),
    kind,
    tenantId: user.tenantId,
    userId: user.id,
    ...(options.applicationId === undefined ? {} : { applicationId: options.applicationId }),
    ...(options.email === undefined ? {} : { email: options.email }),
    ...(options.state === undefined ? {} : { state: options.state }),
    insertInstant: now,
    expiresInstant: now + codeTtlSeconds(tenant, kind) * 1000,
  };
  await ctx.storage.userCodes.insert(record);
  return value;
}

/** The live code of `kind` with this value, without using it; undefined if unknown, expired or malformed. */
export async function findUserCode(ctx: IdpContext, kind: UserCodeKind, value: string | undefined): Promise<UserCode | undefined> {
  if (value === undefined || value === '' || value.length > 200) return undefined;
  const record = await ctx.storage.userCodes.get(sha256Hex(value));
  if (record === undefined || record.kind !== kind || record.expiresInstant <= ctx.now()) return undefined;
  return record;
}

/** Uses the code: deletes it and returns it, or undefined when it is not live (or another use won the race). */
export async function consumeUserCode(ctx: IdpContext, kind: UserCodeKind, value: string | undefined): Promise<UserCode | undefined> {
  const record = await findUserCode(ctx, kind, value);
  if (record === undefined) return undefined;
  return (await ctx.storage.userCodes.deleteWhere({ id: record.id, kind })) > 0 ? record : undefined;
}

/** Deletes every code of the user (of one kind, or all). */
export async function revokeUserCodes(ctx: IdpContext, userId: string, kind?: UserCodeKind): Promise<void> {
  await ctx.storage.userCodes.deleteWhere(kind === undefined ? { user_id: userId } : { user_id: userId, kind });
}
