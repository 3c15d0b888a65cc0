/**
 * Emailed two-factor codes (FusionAuth's email method). A code is 6 random digits (FusionAuth's
 * `twoFactorOneTimeCodeIdGenerator` default), emailed with the tenant's `multiFactorConfiguration.email`
 * template through the tenant's mailer, and stored only as SHA-256 of `salt:code` (the salt is the user id
 * or the pending login's id) with its expiry, the tenant's `twoFactorOneTimeCodeIdTimeToLiveInSeconds`
 * (default 60). A new send replaces the previous code; a code is spent by the compare-and-set that
 * removes it (enrollment) or deletes the pending login (challenge), so it works once.
 */
import { randomInt } from 'node:crypto';
import type { IdpContext } from '../../context.js';
import { constantTimeEqual, sha256Hex } from '../../crypto/secrets.js';
import type { Application, EmailCode, Tenant, User } from '../../model/types.js';
import { emailConfiguration } from '../mail/config.js';
import { TEMPLATES } from '../mail/templates.js';
import { emailMethodTemplate, oneTimeCodeTtlSeconds } from './policy.js';

export const EMAIL_CODE_LENGTH = 6;

export function generateEmailCode(): string {
  return String(randomInt(10 ** EMAIL_CODE_LENGTH)).padStart(EMAIL_CODE_LENGTH, '0');
}

/** A new code record for `salt`, expiring after the tenant's one-time code lifetime (never after `notAfter`). */
export function emailCodeRecord(ctx: IdpContext, tenant: Tenant, salt: string, code: string, extra: Pick<EmailCode, 'email' | 'methodId'>, notAfter = Infinity): EmailCode {
  return { hash: sha256Hex(`${salt}:${code}`), expiresInstant: Math.min(ctx.now() + oneTimeCodeTtlSeconds(tenant) * 1000, notAfter), ...extra };
}

/** Whether `input` is the unexpired code of `record` (salted with `salt`). */
export function emailCodeMatches(ctx: IdpContext, record: EmailCode | undefined, salt: string, input: string): boolean {
  if (record === undefined || record.expiresInstant <= ctx.now() || !/^\d{6}$/.test(input.trim())) return false;
  return constantTimeEqual(record.hash, sha256Hex(`${salt}:${input.trim()}`));
}

/** Emails `code` to `to` with the tenant's two-factor template (in the background); false when the tenant does not allow the email method. */
export function sendCodeEmail(ctx: IdpContext, tenant: Tenant, user: User, to: string, code: string, application?: Application): boolean {
  const templateId = emailMethodTemplate(tenant);
  const template = templateId === undefined ? undefined : TEMPLATES[templateId.toLowerCase()];
  if (template === undefined) return false;
  const minutes = Math.max(1, Math.round(oneTimeCodeTtlSeconds(tenant) / 60));
  const rendered = template.render({ tenant, user, link: '', code, minutes, ...(application === undefined ? {} : { application }) });
  ctx.mail.deliver(emailConfiguration(tenant), { to, ...rendered }, { tenantId: tenant.id, userId: user.id, templateId: template.id });
  return true;
}
