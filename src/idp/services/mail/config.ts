/**
 * The tenant's `emailConfiguration`, FusionAuth's fields: the SMTP server (`host`, `port`, `security`
 * NONE|SSL|TLS, `username`, `password`), the sender (`defaultFromEmail`, `defaultFromName`), email
 * verification (`verifyEmail`, `verifyEmailWhenChanged`, `implicitEmailVerificationAllowed`) and the
 * template ids of the emails Gatehouse sends (`forgotPasswordEmailTemplateId`,
 * `verificationEmailTemplateId`), each one of the built-in templates of templates.ts.
 *
 * The SMTP password is stored but never returned (`publicEmailConfiguration`) and never logged; a PUT that
 * leaves it out keeps the stored one while the host and username stay the same. Template ids of emails
 * Gatehouse does not send (passwordless, set password, two-factor notices...) and the options it does not
 * implement are refused with `[notImplemented]`, never accepted and ignored.
 */
import type { ApiErrors } from '../../model/errors.js';
import { isObject, objectAt, optionalBoolean, optionalEnum, optionalInteger, optionalString, type Body } from '../../model/input.js';
import { refuseUnimplementedFields } from '../../http/not-implemented.js';
import type { Tenant } from '../../model/types.js';
import { TEMPLATES } from './templates.js';

export type EmailSecurity = 'NONE' | 'SSL' | 'TLS';

export interface EmailConfiguration {
  host: string;
  port: number;
  security: EmailSecurity;
  username?: string;
  password?: string;
  defaultFromEmail: string;
  defaultFromName?: string;
  verifyEmail: boolean;
  verifyEmailWhenChanged: boolean;
  implicitEmailVerificationAllowed: boolean;
  forgotPasswordEmailTemplateId?: string;
  verificationEmailTemplateId?: string;
  verificationStrategy?: 'ClickableLink';
  [k: string]: unknown;
}

/** FusionAuth's defaults for a tenant without email settings: localhost:25, no security, nothing sent. */
export const EMAIL_DEFAULTS: EmailConfiguration = {
  host: 'localhost',
  port: 25,
  security: 'NONE',
  defaultFromEmail: 'change-me@example.com',
  defaultFromName: 'Gatehouse',
  verifyEmail: false,
  verifyEmailWhenChanged: false,
  implicitEmailVerificationAllowed: true,
  verificationStrategy: 'ClickableLink',
};

const TEMPLATE_FIELDS = ['forgotPasswordEmailTemplateId', 'verificationEmailTemplateId'] as const;
const KNOWN: ReadonlySet<string> = new Set([
  'host', 'port', 'security', 'username', 'password', 'defaultFromEmail', 'defaultFromName', 'verifyEmail', 'verifyEmailWhenChanged',
  'implicitEmailVerificationAllowed', 'verificationStrategy', 'unverified', ...TEMPLATE_FIELDS,
]);
const UNIMPLEMENTED: ReadonlySet<string> = new Set([
  'additionalHeaders', 'debug', 'properties', 'adminTwoFactorMethodRemoveEmailTemplateId', 'emailUpdateEmailTemplateId', 'emailVerifiedEmailTemplateId',
  'loginIdInUseOnCreateEmailTemplateId', 'loginIdInUseOnUpdateEmailTemplateId', 'loginNewDeviceEmailTemplateId', 'loginSuspiciousEmailTemplateId',
  'passwordlessEmailTemplateId', 'passwordResetSuccessEmailTemplateId', 'passwordUpdateEmailTemplateId', 'setPasswordEmailTemplateId',
  'twoFactorMethodAddEmailTemplateId', 'twoFactorMethodRemoveEmailTemplateId',
]);
/** What an email address must look like to be sent to (no spaces, no angle brackets, one @). */
export const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+$/;

/** Validates `tenant.emailConfiguration` of a tenant document, recording every problem in `errors`. */
export function validateEmailConfiguration(errors: ApiErrors, tenant: Body): void {
  const path = 'tenant.emailConfiguration';
  const email = objectAt(errors, tenant, 'emailConfiguration', path);
  refuseUnimplementedFields(email, path, KNOWN, UNIMPLEMENTED, errors);
  const host = optionalString(errors, email, 'host', `${path}.host`);
  if (host !== undefined && (host.trim() === '' || /[\s/]/.test(host))) errors.invalid(`${path}.host`, `The [${path}.host] property must be a host name or address.`);
  optionalInteger(errors, email, 'port', `${path}.port`, 1, 65_535);
  optionalEnum(errors, email, 'security', `${path}.security`, ['NONE', 'SSL', 'TLS']);
  optionalString(errors, email, 'username', `${path}.username`);
  optionalString(errors, email, 'password', `${path}.password`);
  const from = optionalString(errors, email, 'defaultFromEmail', `${path}.defaultFromEmail`);
  if (from !== undefined && !EMAIL.test(from)) errors.invalid(`${path}.defaultFromEmail`, `The [${path}.defaultFromEmail] property is not a valid email address.`);
  const fromName = optionalString(errors, email, 'defaultFromName', `${path}.defaultFromName`);
  if (fromName !== undefined && /[\r\n]/.test(fromName)) errors.invalid(`${path}.defaultFromName`, `The [${path}.defaultFromName] property must be one line.`);
  const verify = optionalBoolean(errors, email, 'verifyEmail', `${path}.verifyEmail`);
  const whenChanged = optionalBoolean(errors, email, 'verifyEmailWhenChanged', `${path}.verifyEmailWhenChanged`);
  optionalBoolean(errors, email, 'implicitEmailVerificationAllowed', `${path}.implicitEmailVerificationAllowed`);
  const strategy = optionalString(errors, email, 'verificationStrategy', `${path}.verificationStrategy`);
  if (strategy === 'FormField') errors.field(`${path}.verificationStrategy`, 'notImplemented', `Gatehouse implements only [ClickableLink] for [${path}.verificationStrategy].`);
  else if (strategy !== undefined && strategy !== 'ClickableLink') errors.invalid(`${path}.verificationStrategy`, `The [${path}.verificationStrategy] property must be ClickableLink or FormField.`);
  const unverified = objectAt(errors, email, 'unverified', `${path}.unverified`);
  const behavior = optionalString(errors, unverified, 'behavior', `${path}.unverified.behavior`);
  if (behavior !== undefined && behavior !== 'Allow') errors.field(`${path}.unverified.behavior`, 'notImplemented', `Gatehouse implements only [Allow] for [${path}.unverified.behavior].`);
  if (unverified.allowEmailChangeWhenGated === true) errors.field(`${path}.unverified.allowEmailChangeWhenGated`, 'notImplemented', 'Gatehouse does not gate unverified users.');
  for (const field of TEMPLATE_FIELDS) {
    const id = optionalString(errors, email, field, `${path}.${field}`);
    if (id !== undefined && id !== '' && TEMPLATES[id.toLowerCase()] === undefined) {
      errors.invalid(`${path}.${field}`, `The [${path}.${field}] property does not name an email template; Gatehouse has built-in templates only (see docs/idp.md, "Email").`);
    }
  }
  if ((verify === true || whenChanged === true) && !(typeof email.verificationEmailTemplateId === 'string' && email.verificationEmailTemplateId !== '')) {
    errors.blank(`${path}.verificationEmailTemplateId`, `You must specify the [${path}.verificationEmailTemplateId] property when [verifyEmail] or [verifyEmailWhenChanged] is true.`);
  }
}

/** The tenant's email settings over the defaults. */
export function emailConfiguration(tenant: Tenant): EmailConfiguration {
  const given = isObject(tenant.emailConfiguration) ? tenant.emailConfiguration : {};
  return { ...EMAIL_DEFAULTS, ...given } as EmailConfiguration;
}

/** The tenant as the API returns it: the SMTP password left out. */
export function publicTenant(tenant: Tenant): Tenant {
  const email = tenant.emailConfiguration;
  if (!isObject(email) || email.password === undefined) return tenant;
  const { password: _secret, ...rest } = email;
  return { ...tenant, emailConfiguration: rest };
}

/**
 * A replace (PUT) without `emailConfiguration.password` keeps the stored password when the server and
 * username are unchanged: what a client that retrieved the tenant (which never shows it) sends back.
 */
export function keepEmailPassword(existing: Tenant, next: Body): Body {
  const before = isObject(existing.emailConfiguration) ? existing.emailConfiguration : undefined;
  const after = isObject(next.emailConfiguration) ? next.emailConfiguration : undefined;
  if (before?.password === undefined || after === undefined || after.password !== undefined) return next;
  if (after.host !== before.host || after.username !== before.username) return next;
  return { ...next, emailConfiguration: { ...after, password: before.password } };
}
