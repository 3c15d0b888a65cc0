/**
 * The Login API's decision, apart from HTTP: find the user, honour the lockout, check the password, and
 * say which status applies. The OAuth password grant of the next issue maps these outcomes to its errors.
 *
 * Order: unknown user → 404 (after spending one hash verification); locked → 423; deactivated → 423;
 * wrong password → 404 (counting towards the lockout; the failure that reaches `tooManyAttempts` locks and
 * is already 423; a right password resets the count, except for a user with two-factor on); expired → 410;
 * password change required → 203 (with a new change-password id on the returned user, services/user-codes.ts);
 * not registered for the application → 202; else 200.
 */
import type { IdpContext } from '../context.js';
import { LOCKOUT_UNIT_MS } from '../model/defaults.js';
import type { Application, Registration, Tenant, User } from '../model/types.js';
import { findByLoginId } from './users.js';
import { hasTwoFactor } from './two-factor/methods.js';
import { issueUserCode } from './user-codes.js';

export type LoginOutcome =
  | { status: 404 | 410 | 423 }
  | { status: 203; user: User }
  | { status: 200 | 202; user: User; registration?: Registration };

export async function authenticatePassword(
  ctx: IdpContext,
  tenant: Tenant,
  application: Application | undefined,
  loginId: string,
  password: string,
  loginIdTypes?: readonly string[],
): Promise<LoginOutcome> {
  const user = await findByLoginId(ctx, tenant.id, loginId, loginIdTypes);
  if (user === undefined || user.passwordHash === undefined) {
    await ctx.passwords.verifyNothing(password);
    return { status: 404 };
  }
  const now = ctx.now();
  const lock = await ctx.storage.lockState(user.id);
  if (lock.lockedUntil > now || !user.active) return { status: 423 };
  if (!(await ctx.passwords.verify(user.passwordHash, password))) {
    const policy = tenant.failedAuthenticationConfiguration;
    const failures = await ctx.storage.recordLoginFailure(user.id, now, policy.resetCountInSeconds * 1000);
    if (failures >= policy.tooManyAttempts) {
      await ctx.storage.lockUser(user.id, now + policy.actionDuration * (LOCKOUT_UNIT_MS[policy.actionDurationUnit] ?? 60_000));
      ctx.logger.warn({ event: 'user.locked', userId: user.id, tenantId: tenant.id, failures }, 'user locked after repeated failed logins');
      return { status: 423 };
    }
    return { status: 404 };
  }
  // With two-factor on, the count is cleared by the right second factor (two-factor/challenge.ts), not by
  // the password alone: otherwise a known password would buy endless fresh code guesses.
  if (!hasTwoFactor(user) && (lock.failedCount > 0 || lock.lockedUntil > 0)) await ctx.storage.clearLoginFailures(user.id);
  if (user.expiry !== undefined && user.expiry <= now) return { status: 410 };
  if (user.passwordChangeRequired) {
    // a fresh single-use id, stored hashed; the clear value travels only in this answer
    return { status: 203, user: { ...user, changePasswordId: await issueUserCode(ctx, tenant, 'changePassword', user) } };
  }
  const registration = application === undefined ? undefined : await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id });
  return { status: application !== undefined && registration === undefined ? 202 : 200, user, ...(registration === undefined ? {} : { registration }) };
}
