/**
 * Spending a second-factor code of a user: a TOTP code of one of the user's authenticator methods, at a
 * time step above the last one that method accepted, or one of the user's unused recovery codes. The
 * spend is a compare-and-set on the user document (the step is recorded, or the recovery code's hash
 * removed), so two requests with the same code cannot both succeed, on one instance or several.
 */
import type { IdpContext } from '../../context.js';
import type { User } from '../../model/types.js';
import { hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';
import { matchingStep } from './totp.js';

export interface SpentCode {
  /** The user as stored after the spend. */
  user: User;
  kind: 'authenticator' | 'recovery' | 'email';
  methodId?: string;
}

const RETRIES = 3;

/** Spends `code` for `user` (optionally only a TOTP code of `methodId`); undefined when it is not a valid unused code. */
export async function spendCode(ctx: IdpContext, user: User, code: string, options: { methodId?: string; allowRecovery?: boolean } = {}): Promise<SpentCode | undefined> {
  const input = code.trim();
  let current: User | undefined = user;
  for (let attempt = 0; attempt < RETRIES && current !== undefined; attempt++) {
    const next = nextState(current, input, ctx.now(), options);
    if (next === undefined) return undefined;
    if (await ctx.storage.users.updateIfUnchanged(current, next.user)) return next;
    // the user changed meanwhile (another login, another code): decide again on what is stored now
    current = await ctx.storage.users.get(user.id);
  }
  return undefined;
}

function nextState(user: User, input: string, now: number, options: { methodId?: string; allowRecovery?: boolean }): SpentCode | undefined {
  const twoFactor = user.twoFactor;
  if (twoFactor === undefined) return undefined;
  for (const method of twoFactor.methods) {
    if (options.methodId !== undefined && method.id !== options.methodId) continue;
    if (method.method !== 'authenticator') continue; // emailed codes are checked where they are stored (email-codes.ts)
    const step = matchingStep(Buffer.from(method.key, 'base64'), input, now, method.lastUsedStep ?? -1);
    if (step === undefined) continue;
    const methods = twoFactor.methods.map((m) => (m.id === method.id ? { ...m, lastUsedStep: step } : m));
    return { user: { ...user, twoFactor: { ...twoFactor, methods } }, kind: 'authenticator', methodId: method.id };
  }
  if (options.allowRecovery === false || normalizeRecoveryCode(input) === undefined) return undefined;
  const hash = hashRecoveryCode(user.id, input);
  if (!twoFactor.recoveryCodeHashes.includes(hash)) return undefined;
  return { user: { ...user, twoFactor: { ...twoFactor, recoveryCodeHashes: twoFactor.recoveryCodeHashes.filter((h) => h !== hash) } }, kind: 'recovery' };
}
