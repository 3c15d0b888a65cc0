/**
 * Email verification, apart from HTTP: when the tenant's `emailConfiguration.verifyEmail` is on, a new
 * user with an email address starts unverified and is sent a link to `/email/verify/{verificationId}`
 * (template `verificationEmailTemplateId`); with `verifyEmailWhenChanged`, so is a user whose address
 * changes. The verification id is single use, stored hashed, bound to the address it was sent to (a later
 * change voids it) and lives `emailVerificationIdTimeToLiveInSeconds` (FusionAuth's default: 24 h).
 */
import type { IdpContext } from '../context.js';
import type { Application, Tenant, User } from '../model/types.js';
import { emailConfiguration, sendTemplatedEmail } from './mail/index.js';
import { codeTtlSeconds, consumeUserCode, findUserCode, issueUserCode } from './user-codes.js';

/** Whether saving `user` (new, or replacing `existing`) starts a verification. */
export function verificationApplies(tenant: Tenant, user: User, existing?: User): boolean {
  const config = emailConfiguration(tenant);
  if (user.email === undefined) return false;
  if (existing === undefined) return config.verifyEmail;
  return config.verifyEmailWhenChanged && existing.email !== user.email;
}

/** Whether the tenant can send verification emails (a template is named). */
export function verificationEmailConfigured(tenant: Tenant): boolean {
  const id = emailConfiguration(tenant).verificationEmailTemplateId;
  return id !== undefined && id !== '';
}

/**
 * Issues a verification id for the user's current address and, when `send`, emails the link. Returns
 * the id (the caller returns it only when no email was sent, or to an API-key caller that created the user).
 */
export async function startEmailVerification(ctx: IdpContext, tenant: Tenant, user: User, options: { send: boolean; application?: Application }): Promise<string> {
  const id = await issueUserCode(ctx, tenant, 'emailVerification', user, { email: user.email!, ...(options.application === undefined ? {} : { applicationId: options.application.id }) });
  const templateId = emailConfiguration(tenant).verificationEmailTemplateId;
  if (options.send && templateId !== undefined && templateId !== '') {
    sendTemplatedEmail(ctx, {
      tenant,
      ...(options.application === undefined ? {} : { application: options.application }),
      user,
      templateId,
      path: `/email/verify/${encodeURIComponent(id)}?tenantId=${tenant.id}`,
      minutes: Math.max(1, Math.round(codeTtlSeconds(tenant, 'emailVerification') / 60)),
    });
  }
  return id;
}

/** Marks a user verified (no-op when already). */
export async function markVerified(ctx: IdpContext, user: User): Promise<User> {
  let current: User | undefined = user;
  for (let attempt = 0; current !== undefined && !current.verified && attempt < 3; attempt++) {
    const now = ctx.now();
    const next: User = { ...current, verified: true, verifiedInstant: now, lastUpdateInstant: now };
    // never undo a concurrent change (a password reset, an address change): re-read and retry
    if (await ctx.storage.users.updateIfUnchanged(current, next)) return next;
    current = await ctx.storage.users.get(user.id);
  }
  return current ?? user;
}

/** Uses a verification id: the user it verified, or undefined when the id is unknown, spent, expired or for an old address. */
export async function completeEmailVerification(ctx: IdpContext, verificationId: string | undefined): Promise<User | undefined> {
  const code = await consumeUserCode(ctx, 'emailVerification', verificationId);
  if (code === undefined) return undefined;
  const user = await ctx.storage.users.get(code.userId);
  if (user === undefined || user.email !== code.email) return undefined;
  return markVerified(ctx, user);
}

/** The user a live verification id is for (without using it). */
export async function userForVerificationId(ctx: IdpContext, verificationId: string | undefined): Promise<User | undefined> {
  const code = await findUserCode(ctx, 'emailVerification', verificationId);
  const user = code === undefined ? undefined : await ctx.storage.users.get(code.userId);
  return user !== undefined && user.email === code?.email ? user : undefined;
}
