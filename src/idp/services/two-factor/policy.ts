/**
 * The tenant's two-factor settings, FusionAuth's names and defaults:
 * - `multiFactorConfiguration.loginPolicy`: `Enabled` (default; a user with a method is challenged) or
 *   `Disabled` (never challenged). `Required` (force set-up at login) is not implemented and refused.
 * - `multiFactorConfiguration.authenticator.enabled` (default true): whether TOTP methods may be added.
 * - `multiFactorConfiguration.email.enabled` (default false) with `email.templateId` (required when enabled;
 *   the built-in two-factor template): whether email methods may be added and their codes sent. SMS is not
 *   implemented: enabling it on a tenant is refused.
 * - `externalIdentifierConfiguration.twoFactorOneTimeCodeIdTimeToLiveInSeconds` (default 60): life of an
 *   emailed code.
 * - `externalIdentifierConfiguration.twoFactorIdTimeToLiveInSeconds` (default 300): life of a `twoFactorId`.
 * - `externalIdentifierConfiguration.twoFactorTrustIdTimeToLiveInSeconds`: life of a trusted device.
 *   FusionAuth's default is not documented; Gatehouse uses 30 days (docs/idp.md).
 */
import type { ApiErrors } from '../../model/errors.js';
import { isObject, objectAt, optionalBoolean, optionalEnum, optionalInteger, optionalString, type Body } from '../../model/input.js';
import { TWO_FACTOR_TEMPLATE_ID } from '../mail/templates.js';
import type { Tenant } from '../../model/types.js';

export const DEFAULT_TWO_FACTOR_ID_TTL_SECONDS = 300;
export const DEFAULT_TRUST_TTL_SECONDS = 30 * 24 * 3600;
export const DEFAULT_ONE_TIME_CODE_TTL_SECONDS = 60;

function section(tenant: Tenant, name: string): Body {
  const value = tenant[name];
  return isObject(value) ? value : {};
}

function positiveInteger(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

export function twoFactorIdTtlSeconds(tenant: Tenant): number {
  return positiveInteger(section(tenant, 'externalIdentifierConfiguration').twoFactorIdTimeToLiveInSeconds, DEFAULT_TWO_FACTOR_ID_TTL_SECONDS);
}

export function trustTtlSeconds(tenant: Tenant): number {
  return positiveInteger(section(tenant, 'externalIdentifierConfiguration').twoFactorTrustIdTimeToLiveInSeconds, DEFAULT_TRUST_TTL_SECONDS);
}

export function oneTimeCodeTtlSeconds(tenant: Tenant): number {
  return positiveInteger(section(tenant, 'externalIdentifierConfiguration').twoFactorOneTimeCodeIdTimeToLiveInSeconds, DEFAULT_ONE_TIME_CODE_TTL_SECONDS);
}

/** The template of emailed codes when the tenant allows the email method; undefined when it does not. */
export function emailMethodTemplate(tenant: Tenant): string | undefined {
  const email = section(tenant, 'multiFactorConfiguration').email;
  return isObject(email) && email.enabled === true && typeof email.templateId === 'string' ? email.templateId : undefined;
}

/** True unless the tenant's login policy is `Disabled`. */
export function challengeEnabled(tenant: Tenant): boolean {
  return section(tenant, 'multiFactorConfiguration').loginPolicy !== 'Disabled';
}

export function authenticatorAllowed(tenant: Tenant): boolean {
  const authenticator = section(tenant, 'multiFactorConfiguration').authenticator;
  return !isObject(authenticator) || authenticator.enabled !== false;
}

/** Checks a tenant document's two-factor settings into `errors`. */
export function validateTenantTwoFactor(errors: ApiErrors, tenant: Body): void {
  const ids = objectAt(errors, tenant, 'externalIdentifierConfiguration', 'tenant.externalIdentifierConfiguration');
  optionalInteger(errors, ids, 'twoFactorIdTimeToLiveInSeconds', 'tenant.externalIdentifierConfiguration.twoFactorIdTimeToLiveInSeconds', 1, 86_400);
  optionalInteger(errors, ids, 'twoFactorOneTimeCodeIdTimeToLiveInSeconds', 'tenant.externalIdentifierConfiguration.twoFactorOneTimeCodeIdTimeToLiveInSeconds', 1, 3600);
  optionalInteger(errors, ids, 'twoFactorTrustIdTimeToLiveInSeconds', 'tenant.externalIdentifierConfiguration.twoFactorTrustIdTimeToLiveInSeconds', 1, 10 * 365 * 86_400);
  const mfa = objectAt(errors, tenant, 'multiFactorConfiguration', 'tenant.multiFactorConfiguration');
  const path = 'tenant.multiFactorConfiguration';
  if (mfa.loginPolicy === 'Required') errors.field(`${path}.loginPolicy`, 'notImplemented', `Gatehouse does not implement [${path}.loginPolicy] Required; use Enabled or Disabled.`);
  else optionalEnum(errors, mfa, 'loginPolicy', `${path}.loginPolicy`, ['Enabled', 'Disabled']);
  optionalBoolean(errors, objectAt(errors, mfa, 'authenticator', `${path}.authenticator`), 'enabled', `${path}.authenticator.enabled`);
  const email = objectAt(errors, mfa, 'email', `${path}.email`);
  const emailEnabled = optionalBoolean(errors, email, 'enabled', `${path}.email.enabled`);
  const templateId = optionalString(errors, email, 'templateId', `${path}.email.templateId`);
  if (templateId !== undefined && templateId !== '' && templateId.toLowerCase() !== TWO_FACTOR_TEMPLATE_ID) {
    errors.invalid(`${path}.email.templateId`, `The [${path}.email.templateId] property must be the built-in two-factor template [${TWO_FACTOR_TEMPLATE_ID}] (see docs/idp.md, "Email").`);
  } else if (emailEnabled === true && (templateId === undefined || templateId === '')) {
    errors.blank(`${path}.email.templateId`, `You must specify the [${path}.email.templateId] property when [${path}.email.enabled] is true.`);
  }
  const sms = objectAt(errors, mfa, 'sms', `${path}.sms`);
  if (sms.enabled === true) errors.field(`${path}.sms.enabled`, 'notImplemented', `Gatehouse does not implement the [sms] two-factor method; only the authenticator (TOTP) and email methods.`);
}

