/**
 * Setting a user's new password (change password by id, by login id, by JWT; the hosted reset page):
 * the tenant's rules apply, the change is required no more, every outstanding change-password id of the
 * user is spent and the user's sessions are revoked (FusionAuth's default
 * `refreshTokenRevocationPolicy.onPasswordChanged`). A change completed through an emailed link proves the
 * address, so it also verifies the email when the tenant allows it (`implicitEmailVerificationAllowed`,
 * default true).
 */
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError } from '../model/errors.js';
import type { User } from '../model/types.js';
import { emailConfiguration } from './mail/index.js';
import { checkPassword } from './password-rules.js';
import { revokeUserSessions } from './revoke-sessions.js';
import { findUserCode, revokeUserCodes } from './user-codes.js';

export interface SetPasswordOptions {
  /** The request field the password came in (error codes name it). */
  field: string;
  /** The change came through a link emailed to `emailedTo`. */
  emailedTo?: string;
}

export async function setPassword(ctx: IdpContext, user: User, password: string, options: SetPasswordOptions): Promise<User> {
  const tenant = (await ctx.storage.tenants.get(user.tenantId))!;
  const errors = new ApiErrors();
  checkPassword(errors, tenant, password, options.field);
  errors.throwIfAny();
  const now = ctx.now();
  const { changePasswordId: _spent, ...rest } = user;
  const next: User = { ...rest, passwordHash: await ctx.passwords.hash(password), passwordLastUpdateInstant: now, passwordChangeRequired: false, lastUpdateInstant: now };
  const proved = options.emailedTo !== undefined && options.emailedTo === user.email;
  if (proved && !user.verified && emailConfiguration(tenant).implicitEmailVerificationAllowed) Object.assign(next, { verified: true, verifiedInstant: now });
  if (!(await ctx.storage.users.updateIfUnchanged(user, next))) fieldError(options.field, 'conflict', 'The user changed meanwhile; try again.');
  await revokeUserCodes(ctx, user.id, 'changePassword');
  await revokeUserSessions(ctx, user.id);
  // gateways with a revocation feed deny the user's access tokens issued before now (docs/auth.md)
  await ctx.revocationEvents.userRevoked(user);
  return next;
}

/**
 * The user a change-password id is for: an issued id (forgot password, a 203 login; stored hashed), or an
 * id an earlier version kept on the user in clear (until it is used).
 */
export async function userForChangePasswordId(ctx: IdpContext, id: string): Promise<{ user: User; emailedTo?: string; applicationId?: string; state?: Record<string, unknown> } | undefined> {
  const code = await findUserCode(ctx, 'changePassword', id);
  if (code !== undefined) {
    const user = await ctx.storage.users.get(code.userId);
    return user === undefined
      ? undefined
      : { user, ...(code.email === undefined ? {} : { emailedTo: code.email }), ...(code.applicationId === undefined ? {} : { applicationId: code.applicationId }), ...(code.state === undefined ? {} : { state: code.state }) };
  }
  // earlier versions kept a 203 login's id on the user: a scan, as rare as such leftovers are
  const user = (await ctx.storage.users.find()).find((u) => u.changePasswordId === id && u.passwordChangeRequired);
  return user === undefined ? undefined : { user };
}
