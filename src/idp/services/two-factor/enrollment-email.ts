/**
 * Enabling and disabling an email method (FusionAuth's `POST /api/two-factor/send` then
 * `POST|DELETE /api/user/two-factor`): the code goes to the address being enabled, or to the address of
 * the method being disabled, and is stored on the user (`twoFactor.emailCode`, hashed, replacing any
 * earlier one). Enabling takes that code for that address; the compare-and-set that adds the method also
 * removes the code, so it works once.
 */
import type { IdpContext } from '../../context.js';
import { generalError } from '../../model/errors.js';
import type { Application, Tenant, TwoFactorMethod, User, UserTwoFactor } from '../../model/types.js';
import { emailCodeMatches, emailCodeRecord, generateEmailCode, sendCodeEmail } from './email-codes.js';
import { hasTwoFactor, methodsOf, newMethodId } from './methods.js';
import { emailMethodTemplate } from './policy.js';
import { takeSendAttempt } from './rate-limit.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';
import { forgetTrusts } from './trust.js';

export type EnrollmentSendOutcome = { status: 200 } | { status: 429; retryAfter: number };

function twoFactorOf(user: User): UserTwoFactor {
  return user.twoFactor ?? { methods: [], recoveryCodeHashes: [] };
}

/** Emails a code to `target.email` (enable) or to the address of the email method `target.methodId` (disable). */
export async function sendEnrollmentCode(ctx: IdpContext, tenant: Tenant, user: User, target: { email: string } | { methodId: string }, application?: Application): Promise<EnrollmentSendOutcome> {
  if (emailMethodTemplate(tenant) === undefined) generalError('[EmailTwoFactorNotEnabled]', 'The tenant does not allow the [email] two-factor method (tenant.multiFactorConfiguration.email.enabled).');
  const method = 'methodId' in target ? methodsOf(user).find((m) => m.id === target.methodId) : undefined;
  if ('methodId' in target && method?.method !== 'email') generalError('[InvalidMethodId]', 'The [methodId] property does not name an email two-factor method of the user.');
  const to = 'email' in target ? target.email : method!.email!;
  const retryAfter = takeSendAttempt(ctx, user.id);
  if (retryAfter !== undefined) return { status: 429, retryAfter };
  const code = generateEmailCode();
  const emailCode = emailCodeRecord(ctx, tenant, user.id, code, 'email' in target ? { email: target.email.toLowerCase() } : { methodId: target.methodId });
  if (!(await ctx.storage.users.updateIfUnchanged(user, { ...user, twoFactor: { ...twoFactorOf(user), emailCode } }))) {
    generalError('[ConcurrentModification]', 'The user changed while the code was being sent; try again.');
  }
  sendCodeEmail(ctx, tenant, user, to, code, application);
  return { status: 200 };
}

export type EmailEnableOutcome = { status: 200; recoveryCodes?: string[]; methodId: string } | { status: 421 };

/** Adds an email method for `email` when `code` is the code last sent to that address. */
export async function enableEmail(ctx: IdpContext, user: User, email: string, code: string, name?: string): Promise<EmailEnableOutcome> {
  const pending = twoFactorOf(user).emailCode;
  if (pending?.email !== email.toLowerCase() || !emailCodeMatches(ctx, pending, user.id, code)) return { status: 421 };
  const methods = methodsOf(user);
  const method: TwoFactorMethod = { id: newMethodId(methods), method: 'email', email, key: '', ...(name === undefined ? {} : { name }) };
  const first = !hasTwoFactor(user);
  const recoveryCodes = first ? generateRecoveryCodes() : undefined;
  const recoveryCodeHashes = recoveryCodes !== undefined ? recoveryCodes.map((c) => hashRecoveryCode(user.id, c)) : twoFactorOf(user).recoveryCodeHashes;
  // the code is spent by this compare-and-set: a second request with it finds no emailCode
  if (!(await ctx.storage.users.updateIfUnchanged(user, { ...user, twoFactor: { methods: [...methods, method], recoveryCodeHashes }, lastUpdateInstant: ctx.now() }))) return { status: 421 };
  await forgetTrusts(ctx, user.id);
  return { status: 200, methodId: method.id, ...(recoveryCodes === undefined ? {} : { recoveryCodes }) };
}

/** The user with the emailed disable code for `methodId` spent; undefined when `code` is not it. */
export async function spendEmailDisableCode(ctx: IdpContext, user: User, methodId: string, code: string): Promise<User | undefined> {
  const twoFactor = twoFactorOf(user);
  if (twoFactor.emailCode?.methodId !== methodId || !emailCodeMatches(ctx, twoFactor.emailCode, user.id, code)) return undefined;
  const { emailCode: _spent, ...rest } = twoFactor;
  const next = { ...user, twoFactor: rest };
  return (await ctx.storage.users.updateIfUnchanged(user, next)) ? next : undefined;
}
