/**
 * Adding and removing methods, and recovery codes (FusionAuth's Two Factor API, also behind the
 * self-service page):
 * - enabling a TOTP method takes a current code of its key, proving the authenticator app has it; that
 *   code's step is recorded, so it cannot also complete a login. The first method brings 10 recovery codes
 *   (returned once); later methods return none.
 * - disabling takes a current code of that method (for an email method, the code emailed for it:
 *   enrollment-email.ts), or a recovery code, which removes every method (as in
 *   FusionAuth); with no method left, the recovery codes go too.
 * - regenerating replaces the recovery codes.
 * Any change forgets the user's trusted devices.
 */
import type { IdpContext } from '../../context.js';
import { generalError } from '../../model/errors.js';
import type { TwoFactorMethod, User } from '../../model/types.js';
import { spendCode, type SpentCode } from './codes.js';
import { spendEmailDisableCode } from './enrollment-email.js';
import { AUTHENTICATOR, hasTwoFactor, methodsOf, newMethodId } from './methods.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';
import { matchingStep } from './totp.js';
import { forgetTrusts } from './trust.js';

export type EnableOutcome = { status: 200; recoveryCodes?: string[]; methodId: string } | { status: 421 };

async function save(ctx: IdpContext, previous: User, next: User): Promise<void> {
  if (!(await ctx.storage.users.updateIfUnchanged(previous, next))) generalError('[ConcurrentModification]', 'The user changed while two-factor was being updated; try again.');
  await forgetTrusts(ctx, next.id);
}

export async function enableAuthenticator(ctx: IdpContext, user: User, key: Buffer, code: string, name?: string): Promise<EnableOutcome> {
  const step = matchingStep(key, code.trim(), ctx.now());
  if (step === undefined) return { status: 421 };
  const methods = methodsOf(user);
  const method: TwoFactorMethod = { id: newMethodId(methods), method: 'authenticator', authenticator: { ...AUTHENTICATOR }, key: key.toString('base64'), lastUsedStep: step, ...(name === undefined ? {} : { name }) };
  const first = !hasTwoFactor(user);
  const recoveryCodes = first ? generateRecoveryCodes() : undefined;
  const recoveryCodeHashes = recoveryCodes !== undefined ? recoveryCodes.map((c) => hashRecoveryCode(user.id, c)) : (user.twoFactor?.recoveryCodeHashes ?? []);
  await save(ctx, user, { ...user, twoFactor: { methods: [...methods, method], recoveryCodeHashes }, lastUpdateInstant: ctx.now() });
  return { status: 200, methodId: method.id, ...(recoveryCodes === undefined ? {} : { recoveryCodes }) };
}

/** 200 removed; 404 no such method; 421 the code is not a current code of the method nor a recovery code. */
export async function disableMethod(ctx: IdpContext, user: User, methodId: string, code: string): Promise<200 | 404 | 421> {
  const target = methodsOf(user).find((m) => m.id === methodId);
  if (target === undefined) return 404;
  const emailed = target.method === 'email' ? await spendEmailDisableCode(ctx, user, methodId, code) : undefined;
  const spent: SpentCode | undefined = emailed !== undefined ? { user: emailed, kind: 'email', methodId } : await spendCode(ctx, user, code, { methodId });
  if (spent === undefined) return 421;
  const after = spent.user;
  const remaining = spent.kind === 'recovery' ? [] : methodsOf(after).filter((m) => m.id !== methodId);
  const { twoFactor: _t, ...rest } = after;
  const next: User = remaining.length === 0 ? { ...rest, lastUpdateInstant: ctx.now() } : { ...after, twoFactor: { methods: remaining, recoveryCodeHashes: after.twoFactor!.recoveryCodeHashes }, lastUpdateInstant: ctx.now() };
  await save(ctx, after, next);
  return 200;
}

/** New recovery codes replacing the old ones; 400 when the user has no method. */
export async function regenerateRecoveryCodes(ctx: IdpContext, user: User): Promise<string[]> {
  if (!hasTwoFactor(user)) generalError('[TwoFactorNotEnabled]', 'The user has no two-factor method; enable one first.');
  const recoveryCodes = generateRecoveryCodes();
  await save(ctx, user, { ...user, twoFactor: { methods: methodsOf(user), recoveryCodeHashes: recoveryCodes.map((c) => hashRecoveryCode(user.id, c)) }, lastUpdateInstant: ctx.now() });
  return recoveryCodes;
}
