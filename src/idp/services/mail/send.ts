/**
 * Sends one of the built-in emails to a user: renders the template the tenant names and hands it to the
 * mailer. The links point at the identity provider's public URL (`IdpOptions.publicUrl`, default the
 * server's own URL), never at a Host header a caller chose: a forged Host cannot make a reset link point
 * elsewhere.
 */
import type { IdpContext } from '../../context.js';
import type { Application, Tenant, User } from '../../model/types.js';
import { emailConfiguration } from './config.js';
import { TEMPLATES } from './templates.js';

export interface TemplatedEmail {
  tenant: Tenant;
  application?: Application;
  user: User;
  templateId: string;
  /** The path (and query) of the link on the identity provider. */
  path: string;
  minutes: number;
}

/** The address the user's email goes to: `user.email`, else `user.data.email` (FusionAuth's order). */
export function emailAddressOf(user: User): string | undefined {
  if (typeof user.email === 'string' && user.email !== '') return user.email;
  const data = user.data as { email?: unknown } | undefined;
  return typeof data?.email === 'string' && data.email !== '' ? data.email : undefined;
}

/** Renders and sends (in the background) one templated email; false when the user has no address. */
export function sendTemplatedEmail(ctx: IdpContext, email: TemplatedEmail): boolean {
  const to = emailAddressOf(email.user);
  const template = TEMPLATES[email.templateId.toLowerCase()];
  if (to === undefined || template === undefined) return false;
  const link = `${ctx.publicUrl.replace(/\/+$/, '')}${email.path}`;
  const rendered = template.render({ tenant: email.tenant, ...(email.application === undefined ? {} : { application: email.application }), user: email.user, link, minutes: email.minutes });
  ctx.mail.deliver(emailConfiguration(email.tenant), { to, ...rendered }, { tenantId: email.tenant.id, userId: email.user.id, templateId: template.id });
  return true;
}
