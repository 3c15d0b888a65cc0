/**
 * The tenant's two-factor settings, FusionAuth's names and defaults:
 * - `multiFactorConfiguration.loginPolicy`: `Enabled` (default; a user with a method is challenged) or
 *   `Disabled` (never challenged). `Required` (force set-up at login) is not implemented and refused.
 * - `multiFactorConfiguration.authenticator.enabled` (default true): whether TOTP methods may be added.
 *   Email and SMS methods are not implemented: enabling them on a tenant is refused.
 * - `externalIdentifierConfiguration.twoFactorIdTimeToLiveInSeconds` (default 300): life of a `twoFactorId`.
 * - `externalIdentifierConfiguration.twoFactorTrustIdTimeToLiveInSeconds`: life of a trusted device.
 *   FusionAuth's default is not documented; Gatehouse uses 30 days (docs/idp.md).
 */
import type { ApiErrors } from '../../model/errors.js';
import { isObject, objectAt, optionalBoolean, optionalEnum, optionalInteger, type Body } from '../../model/input.js';
import type { Tenant } from '../../model/types.js';

export const DEFAULT_TWO_FACTOR_ID_TTL_SECONDS = 300;
export const DEFAULT_TRUST_TTL_SECONDS = 30 * 24 * 3600;

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
  optionalInteger(errors, ids, 'twoFactorTrustIdTimeToLiveInSeconds', 'tenant.externalIdentifierConfiguration.twoFactorTrustIdTimeToLiveInSeconds', 1, 10 * 365 * 86_400);
  const mfa = objectAt(errors, tenant, 'multiFactorConfiguration', 'tenant.multiFactorConfiguration');
  const path = 'tenant.multiFactorConfiguration';
  if (mfa.loginPolicy === 'Required') errors.field(`${path}.loginPolicy`, 'notImplemented', `Gatehouse does not implement [${path}.loginPolicy] Required; use Enabled or Disabled.`);
  else optionalEnum(errors, mfa, 'loginPolicy', `${path}.loginPolicy`, ['Enabled', 'Disabled']);
  optionalBoolean(errors, objectAt(errors, mfa, 'authenticator', `${path}.authenticator`), 'enabled', `${path}.authenticator.enabled`);
  for (const method of ['email', 'sms']) {
    const config = objectAt(errors, mfa, method, `${path}.${method}`);
    if (config.enabled === true) errors.field(`${path}.${method}.enabled`, 'notImplemented', `Gatehouse does not implement the [${method}] two-factor method; only the authenticator (TOTP) method.`);
  }
}

