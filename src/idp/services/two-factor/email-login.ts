/**
 * `POST /api/two-factor/send/{twoFactorId}` and the hosted page's "Send a code by email": emails a new
 * code for a pending login to one of the user's email methods. The code is stored on the pending login
 * (replacing any earlier one) and expires with the tenant's one-time code lifetime, never after the
 * `twoFactorId` itself; completing the login with it deletes the pending login, so it works once.
 */
import type { IdpContext } from '../../context.js';
import type { TwoFactorLogin } from '../../model/types.js';
import { pendingLogin } from './challenge.js';
import { emailCodeRecord, generateEmailCode, sendCodeEmail } from './email-codes.js';
import { methodsOf } from './methods.js';
import { emailMethodTemplate } from './policy.js';
import { takeSendAttempt } from './rate-limit.js';

export type LoginSendOutcome =
  | { status: 200; email: string }
  /** 404: unknown or expired twoFactorId; 400: `methodId` is not an email method of the user, or the tenant does not allow email codes. */
  | { status: 400 | 404 }
  | { status: 429; retryAfter: number };

/** Emails a code for the pending login `twoFactorId`; `methodId` may be left out when the user has one email method. */
export async function sendLoginCode(ctx: IdpContext, twoFactorId: string, purpose: TwoFactorLogin['purpose'], methodId: string | undefined): Promise<LoginSendOutcome> {
  const pending = await pendingLogin(ctx, twoFactorId, purpose);
  if (pending === undefined) return { status: 404 };
  const [user, tenant] = await Promise.all([ctx.storage.users.get(pending.userId), ctx.storage.tenants.get(pending.tenantId)]);
  if (user === undefined || tenant === undefined) return { status: 404 };
  if (emailMethodTemplate(tenant) === undefined) return { status: 400 };
  const emailMethods = methodsOf(user).filter((m) => m.method === 'email' && m.email !== undefined);
  const method = methodId === undefined ? (emailMethods.length === 1 ? emailMethods[0] : undefined) : emailMethods.find((m) => m.id === methodId);
  if (method === undefined) return { status: 400 };
  const retryAfter = takeSendAttempt(ctx, user.id);
  if (retryAfter !== undefined) return { status: 429, retryAfter };
  const code = generateEmailCode();
  const application = pending.applicationId === undefined ? undefined : await ctx.storage.applications.get(pending.applicationId);
  await ctx.storage.twoFactorLogins.update({ ...pending, emailCode: emailCodeRecord(ctx, tenant, pending.id, code, { methodId: method.id }, pending.expiresInstant) });
  sendCodeEmail(ctx, tenant, user, method.email!, code, application);
  return { status: 200, email: method.email! };
}
