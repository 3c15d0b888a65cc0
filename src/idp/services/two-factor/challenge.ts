/**
 * The second step of a login (FusionAuth's 242 and `/api/two-factor/login`). After a right password, a
 * user with a two-factor method — unless the tenant's login policy is `Disabled` or the device presents a
 * valid trust id — gets a `twoFactorId` instead of tokens: 32 random bytes, stored as their SHA-256, valid
 * for the tenant's `twoFactorIdTimeToLiveInSeconds`, and used at most once. Completing it takes a valid
 * unused code (codes.ts) or the code last emailed for it (email-codes.ts). A wrong code counts towards the tenant's lockout, like a wrong password (the
 * failure that reaches `tooManyAttempts` locks the user: 423), and a `twoFactorId` dies after
 * `MAX_FAILURES_PER_ID` wrong codes, so guessing needs a new password round each few tries.
 */
import type { IdpContext } from '../../context.js';
import { randomToken, sha256Hex } from '../../crypto/secrets.js';
import { LOCKOUT_UNIT_MS } from '../../model/defaults.js';
import type { Application, Json, Tenant, TwoFactorLogin, User } from '../../model/types.js';
import { spendCode, type SpentCode } from './codes.js';
import { emailCodeMatches } from './email-codes.js';
import { hasTwoFactor, methodJson, methodsOf } from './methods.js';
import { challengeEnabled, twoFactorIdTtlSeconds } from './policy.js';
import { isTrusted } from './trust.js';

export const MAX_FAILURES_PER_ID = 5;

export interface ChallengeRequest {
  tenant: Tenant;
  application?: Application;
  user: User;
  purpose: TwoFactorLogin['purpose'];
  /** The trust id the device presented, if any. */
  trustId?: string;
  noJWT?: boolean;
  metaData?: Json;
  oauth?: TwoFactorLogin['oauth'];
}

/** FusionAuth's 242 body. */
export interface Challenge {
  twoFactorId: string;
  methods: Record<string, unknown>[];
}

/** Whether this login needs a second factor. */
export async function challengeNeeded(ctx: IdpContext, tenant: Tenant, user: User, trustId: string | undefined): Promise<boolean> {
  return challengeEnabled(tenant) && hasTwoFactor(user) && !(await isTrusted(ctx, user.id, trustId));
}

/** A new `twoFactorId` when the login needs a second factor; undefined when it does not. */
export async function challengeIfNeeded(ctx: IdpContext, request: ChallengeRequest): Promise<Challenge | undefined> {
  if (!(await challengeNeeded(ctx, request.tenant, request.user, request.trustId))) return undefined;
  return startChallenge(ctx, request);
}

export async function startChallenge(ctx: IdpContext, request: ChallengeRequest): Promise<Challenge> {
  const now = ctx.now();
  await ctx.storage.deleteExpiredTwoFactor(now);
  const twoFactorId = randomToken(32);
  const record: TwoFactorLogin = {
    id: sha256Hex(twoFactorId),
    tenantId: request.tenant.id,
    userId: request.user.id,
    ...(request.application === undefined ? {} : { applicationId: request.application.id }),
    insertInstant: now,
    expiresInstant: now + twoFactorIdTtlSeconds(request.tenant) * 1000,
    failures: 0,
    purpose: request.purpose,
    ...(request.noJWT === undefined ? {} : { noJWT: request.noJWT }),
    ...(request.metaData === undefined ? {} : { metaData: request.metaData }),
    ...(request.oauth === undefined ? {} : { oauth: request.oauth }),
  };
  await ctx.storage.twoFactorLogins.insert(record);
  return { twoFactorId, methods: methodsOf(request.user).map(methodJson) };
}

/** The pending login of `twoFactorId` for `purpose`, unless unknown or expired. */
export async function pendingLogin(ctx: IdpContext, twoFactorId: string, purpose: TwoFactorLogin['purpose']): Promise<TwoFactorLogin | undefined> {
  if (twoFactorId.length > 200) return undefined;
  const record = await ctx.storage.twoFactorLogins.get(sha256Hex(twoFactorId));
  if (record === undefined || record.purpose !== purpose || record.expiresInstant <= ctx.now()) return undefined;
  return record;
}

export type Completion =
  | { status: 200; pending: TwoFactorLogin; tenant: Tenant; user: User; spent: SpentCode }
  /** 404: unknown, expired or used twoFactorId; 421: wrong code; 423: the user is locked. */
  | { status: 404 | 421 | 423 };

/** Checks `code` for the pending login `twoFactorId`; on success the twoFactorId is used up. */
export async function completeChallenge(ctx: IdpContext, twoFactorId: string, purpose: TwoFactorLogin['purpose'], code: string): Promise<Completion> {
  const pending = await pendingLogin(ctx, twoFactorId, purpose);
  if (pending === undefined) return { status: 404 };
  const [user, tenant] = await Promise.all([ctx.storage.users.get(pending.userId), ctx.storage.tenants.get(pending.tenantId)]);
  if (user === undefined || tenant === undefined) return { status: 404 };
  const now = ctx.now();
  const lock = await ctx.storage.lockState(user.id);
  if (lock.lockedUntil > now || !user.active) {
    await ctx.storage.twoFactorLogins.delete(pending.id);
    return { status: 423 };
  }
  const emailed = emailCodeMatches(ctx, pending.emailCode, pending.id, code) && methodsOf(user).some((m) => m.id === pending.emailCode?.methodId);
  const spent: SpentCode | undefined = emailed ? { user, kind: 'email', methodId: pending.emailCode!.methodId! } : await spendCode(ctx, user, code);
  if (spent === undefined) return recordFailure(ctx, tenant, user, pending);
  // single use: of two requests with right codes, only the one that deletes the record goes on
  if ((await ctx.storage.twoFactorLogins.deleteWhere({ id: pending.id })) === 0) return { status: 404 };
  await ctx.storage.clearLoginFailures(user.id);
  return { status: 200, pending, tenant, user: spent.user, spent };
}

async function recordFailure(ctx: IdpContext, tenant: Tenant, user: User, pending: TwoFactorLogin): Promise<Completion> {
  const now = ctx.now();
  const policy = tenant.failedAuthenticationConfiguration;
  const failures = await ctx.storage.recordLoginFailure(user.id, now, policy.resetCountInSeconds * 1000);
  ctx.logger.info({ event: 'user.two_factor.failed', userId: user.id, tenantId: tenant.id }, 'wrong second-factor code');
  if (failures >= policy.tooManyAttempts) {
    await ctx.storage.lockUser(user.id, now + policy.actionDuration * (LOCKOUT_UNIT_MS[policy.actionDurationUnit] ?? 60_000));
    await ctx.storage.twoFactorLogins.delete(pending.id);
    ctx.logger.warn({ event: 'user.locked', userId: user.id, tenantId: tenant.id, failures }, 'user locked after repeated wrong second-factor codes');
    return { status: 423 };
  }
  const next = { ...pending, failures: pending.failures + 1 };
  if (next.failures >= MAX_FAILURES_PER_ID) await ctx.storage.twoFactorLogins.delete(pending.id);
  else await ctx.storage.twoFactorLogins.update(next);
  return { status: 421 };
}
