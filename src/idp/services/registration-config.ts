/**
 * An application's `registrationConfiguration` (FusionAuth's self-service registration settings):
 * `enabled`, `type` (`basic` only; `advanced` needs custom forms: not implemented), `loginIdType` (`email`
 * or `username`), `confirmPassword`, and per optional field `{enabled, required}` for `firstName`,
 * `lastName`, `fullName`, `middleName`, `mobilePhone` and `birthDate`. `preferredLanguages`, `formId` and
 * `completeRegistration` are refused with `[notImplemented]` when they ask for anything.
 */
import type { ApiErrors } from '../model/errors.js';
import { isObject, objectAt, optionalBoolean, type Body } from '../model/input.js';
import { refuseUnimplementedFields } from '../http/not-implemented.js';
import type { Application } from '../model/types.js';

export const OPTIONAL_FIELDS = ['firstName', 'lastName', 'fullName', 'middleName', 'mobilePhone', 'birthDate'] as const;
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

const KNOWN: ReadonlySet<string> = new Set(['enabled', 'type', 'loginIdType', 'confirmPassword', ...OPTIONAL_FIELDS]);
const UNIMPLEMENTED: ReadonlySet<string> = new Set(['preferredLanguages', 'formId', 'completeRegistration']);

export interface RegistrationSettings {
  enabled: boolean;
  loginIdType: 'email' | 'username';
  confirmPassword: boolean;
  fields: { name: OptionalField; required: boolean }[];
}

/** `closed`: the application may not open self-service registration (the admin console's, as in FusionAuth). */
export function validateRegistrationConfiguration(errors: ApiErrors, application: Body, closed = false): void {
  const path = 'application.registrationConfiguration';
  const config = objectAt(errors, application, 'registrationConfiguration', path);
  refuseUnimplementedFields(config, path, KNOWN, UNIMPLEMENTED, errors);
  const enabled = optionalBoolean(errors, config, 'enabled', `${path}.enabled`);
  if (enabled === true && closed) errors.invalid(`${path}.enabled`, 'Self-service registration cannot be enabled for the admin console application.');
  optionalBoolean(errors, config, 'confirmPassword', `${path}.confirmPassword`);
  if (config.type === 'advanced') errors.field(`${path}.type`, 'notImplemented', `Gatehouse implements only [basic] for [${path}.type].`);
  else if (config.type !== undefined && config.type !== null && config.type !== 'basic') errors.invalid(`${path}.type`, `The [${path}.type] property must be basic or advanced.`);
  if (config.loginIdType === 'phoneNumber') errors.field(`${path}.loginIdType`, 'notImplemented', 'Gatehouse does not implement login by [phoneNumber].');
  else if (config.loginIdType !== undefined && config.loginIdType !== null && config.loginIdType !== 'email' && config.loginIdType !== 'username') {
    errors.invalid(`${path}.loginIdType`, `The [${path}.loginIdType] property must be email, phoneNumber or username.`);
  }
  for (const field of OPTIONAL_FIELDS) {
    const requirable = objectAt(errors, config, field, `${path}.${field}`);
    refuseUnimplementedFields(requirable, `${path}.${field}`, new Set(['enabled', 'required']), new Set(), errors);
    optionalBoolean(errors, requirable, 'enabled', `${path}.${field}.enabled`);
    optionalBoolean(errors, requirable, 'required', `${path}.${field}.required`);
  }
}

/** The application's registration settings (disabled when it has none). */
export function registrationSettings(application: Application): RegistrationSettings {
  const config = isObject(application.registrationConfiguration) ? application.registrationConfiguration : {};
  const fields = OPTIONAL_FIELDS.flatMap((name) => {
    const requirable = isObject(config[name]) ? (config[name] as Body) : {};
    return requirable.enabled === true ? [{ name, required: requirable.required === true }] : [];
  });
  return {
    enabled: config.enabled === true,
    loginIdType: config.loginIdType === 'username' ? 'username' : 'email',
    confirmPassword: config.confirmPassword === true,
    fields,
  };
}
