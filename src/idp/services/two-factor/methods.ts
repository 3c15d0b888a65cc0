/**
 * Two-factor methods on the user object, as FusionAuth's User API takes and returns them.
 *
 * Returned: `twoFactor.methods[] = {id, method, name?, authenticator{algorithm, codeLength, timeStep} | email}` —
 * never a secret, never the recovery codes. Accepted on create, PUT and PATCH (FusionAuth allows an
 * administrator to set methods through the User API): a method whose `id` names one the user has keeps its
 * secret; any other must bring its `secret` (the key is that string's UTF-8 bytes, as in FusionAuth) and
 * gets a new id. A PUT without `twoFactor` removes every method, as FusionAuth's PUT does (issue
 * FusionAuth/fusionauth-issues#2514). `authenticator` (TOTP) and `email` (`{method, email, name?}`, when the
 * tenant allows email codes) are implemented; `sms` is refused with `[notImplemented]`, never stored as a
 * method that would not be asked for.
 */
import { randomInt } from 'node:crypto';
import type { ApiErrors } from '../../model/errors.js';
import { isObject, type Body } from '../../model/input.js';
import type { AuthenticatorConfiguration, Tenant, TwoFactorMethod, User, UserTwoFactor } from '../../model/types.js';
import { EMAIL } from '../mail/config.js';
import { authenticatorAllowed, emailMethodTemplate } from './policy.js';
import { base32Decode, CODE_LENGTH, TIME_STEP_SECONDS } from './totp.js';

export const AUTHENTICATOR: AuthenticatorConfiguration = { algorithm: 'HmacSHA1', codeLength: CODE_LENGTH, timeStep: TIME_STEP_SECONDS };
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const METHOD_FIELDS = new Set(['id', 'method', 'secret', 'authenticator', 'name', 'email', 'mobilePhone', 'lastUsed']);
/** RFC 4226 asks for at least 128-bit keys. */
const MIN_KEY_BYTES = 16;
const MAX_SECRET_LENGTH = 256;

/** The methods a user has (none when two-factor is off). */
export function methodsOf(user: User): TwoFactorMethod[] {
  return user.twoFactor?.methods ?? [];
}

export function hasTwoFactor(user: User): boolean {
  return methodsOf(user).length > 0;
}

/** A method as the API returns it. */
export function methodJson(method: TwoFactorMethod): Record<string, unknown> {
  const base = { id: method.id, method: method.method, ...(method.name === undefined ? {} : { name: method.name }) };
  return method.method === 'email' ? { ...base, email: method.email } : { ...base, authenticator: { ...method.authenticator } };
}

/** The address of an email method; records the problem and returns undefined when missing or malformed. */
export function emailOf(errors: ApiErrors, value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') errors.blank(path, `You must specify the [${path}] property for the email method.`);
  else if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value)) errors.invalid(path, `The [${path}] property is not a valid email address.`);
  else return value;
  return undefined;
}

/** The user's `twoFactor` as the API returns it; undefined when the user has no method. */
export function twoFactorJson(user: User): Record<string, unknown> | undefined {
  const methods = methodsOf(user);
  return methods.length === 0 ? undefined : { methods: methods.map(methodJson) };
}

export function newMethodId(existing: readonly TwoFactorMethod[]): string {
  for (;;) {
    let id = '';
    for (let i = 0; i < 4; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
    if (!existing.some((m) => m.id === id)) return id;
  }
}

/** The TOTP key from FusionAuth's `secret` (UTF-8 bytes) or `secretBase32Encoded`; records the problem and returns undefined when unusable. */
export function keyFrom(errors: ApiErrors, secret: unknown, secretBase32: unknown, path: string): Buffer | undefined {
  if (typeof secret === 'string' && secret !== '') {
    const key = Buffer.from(secret, 'utf8');
    if (secret.length > MAX_SECRET_LENGTH || key.length < MIN_KEY_BYTES) errors.invalid(`${path}secret`, `The [${path}secret] property must be from ${MIN_KEY_BYTES} to ${MAX_SECRET_LENGTH} characters.`);
    else return key;
    return undefined;
  }
  if (typeof secretBase32 === 'string' && secretBase32 !== '') {
    const key = base32Decode(secretBase32);
    if (key === undefined || key.length < MIN_KEY_BYTES || secretBase32.length > MAX_SECRET_LENGTH) {
      errors.invalid(`${path}secretBase32Encoded`, `The [${path}secretBase32Encoded] property must be Base32 of at least ${MIN_KEY_BYTES} bytes.`);
      return undefined;
    }
    return key;
  }
  if ((secret !== undefined && secret !== null && typeof secret !== 'string') || (secretBase32 !== undefined && secretBase32 !== null && typeof secretBase32 !== 'string')) {
    errors.invalid(`${path}secret`, `The [${path}secret] property must be a string.`);
  } else {
    errors.blank(`${path}secret`, `You must specify the [${path}secret] or [${path}secretBase32Encoded] property for the authenticator method.`);
  }
  return undefined;
}

/** Checks an `authenticator` object: only FusionAuth's one configuration is accepted. */
function checkAuthenticator(errors: ApiErrors, value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  const ok = isObject(value) && Object.entries(value).every(([k, v]) => v === null || (AUTHENTICATOR as unknown as Record<string, unknown>)[k] === v);
  if (!ok) errors.invalid(path, `The [${path}] property must be {"algorithm":"HmacSHA1","codeLength":6,"timeStep":30}, the only TOTP configuration supported.`);
}

/** An email method of a user create or update: a kept method (same id) may change its address and name. */
function emailMethodFrom(errors: ApiErrors, tenant: Tenant, item: Body, path: string, previous: readonly TwoFactorMethod[], methods: readonly TwoFactorMethod[]): TwoFactorMethod | undefined {
  if (emailMethodTemplate(tenant) === undefined) errors.invalid(`${path}method`, 'The tenant does not allow the [email] two-factor method (tenant.multiFactorConfiguration.email.enabled).');
  const email = emailOf(errors, item.email, `${path}email`);
  const name = item.name;
  if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > 100)) errors.invalid(`${path}name`, `The [${path}name] property must be a string of at most 100 characters.`);
  const kept = typeof item.id === 'string' ? previous.find((m) => m.id === item.id && m.method === 'email') : undefined;
  const id = kept?.id ?? newMethodId([...previous, ...methods]);
  if (methods.some((m) => m.id === id)) errors.duplicate(`${path}id`, `The [${path}id] property names a method already in the request.`);
  if (email === undefined) return undefined;
  return { id, method: 'email', email, key: '', ...(typeof name === 'string' && name !== '' ? { name } : kept?.name === undefined ? {} : { name: kept.name }) };
}

/**
 * The `twoFactor` of a user create or update (`input` is the request's user object). Returns the stored
 * form; `existing` is the stored user on update.
 */
export function parseUserTwoFactor(errors: ApiErrors, tenant: Tenant, input: Body, existing: User | undefined): UserTwoFactor | undefined {
  const value = input.twoFactor;
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    errors.invalid('user.twoFactor', 'The [user.twoFactor] property must be an object.');
    return undefined;
  }
  for (const name of Object.keys(value)) {
    if (name === 'methods') continue;
    if (name === 'recoveryCodes') {
      const codes = value.recoveryCodes;
      if (codes !== null && !(Array.isArray(codes) && codes.length === 0)) {
        errors.field('user.twoFactor.recoveryCodes', 'notImplemented', 'Gatehouse does not take [user.twoFactor.recoveryCodes]; generate them with POST /api/user/two-factor/recovery-code/{userId}.');
      }
    } else errors.field(`user.twoFactor.${name}`, 'unknown', `The [user.twoFactor.${name}] property is not a property of this request.`);
  }
  const raw = value.methods ?? [];
  if (!Array.isArray(raw)) {
    errors.invalid('user.twoFactor.methods', 'The [user.twoFactor.methods] property must be an array.');
    return undefined;
  }
  const previous = existing === undefined ? [] : methodsOf(existing);
  const methods: TwoFactorMethod[] = [];
  raw.forEach((item: unknown, index) => {
    const path = `user.twoFactor.methods[${index}].`;
    if (!isObject(item)) {
      errors.invalid(path.slice(0, -1), `The [${path.slice(0, -1)}] property must be an object.`);
      return;
    }
    for (const name of Object.keys(item)) if (!METHOD_FIELDS.has(name)) errors.field(`${path}${name}`, 'unknown', `The [${path}${name}] property is not a property of a two-factor method.`);
    const kind = item.method;
    if (kind === 'sms') {
      errors.field(`${path}method`, 'notImplemented', 'Gatehouse does not implement the [sms] two-factor method; only [authenticator] (TOTP) and [email].');
      return;
    }
    if (kind === 'email') {
      const method = emailMethodFrom(errors, tenant, item, path, previous, methods);
      if (method !== undefined) methods.push(method);
      return;
    }
    if (kind !== 'authenticator') {
      errors.field(`${path}method`, kind === undefined || kind === null ? 'blank' : 'invalid', `The [${path}method] property must be authenticator or email.`);
      return;
    }
    if (!authenticatorAllowed(tenant)) errors.invalid(`${path}method`, 'The tenant does not allow the [authenticator] two-factor method.');
    checkAuthenticator(errors, item.authenticator, `${path}authenticator`);
    const name = item.name;
    if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > 100)) errors.invalid(`${path}name`, `The [${path}name] property must be a string of at most 100 characters.`);
    const kept = typeof item.id === 'string' ? previous.find((m) => m.id === item.id && m.method === 'authenticator') : undefined;
    const hasSecret = typeof item.secret === 'string' && item.secret !== '';
    const key = kept !== undefined && !hasSecret ? Buffer.from(kept.key, 'base64') : keyFrom(errors, item.secret, undefined, path);
    if (key === undefined) return;
    const method: TwoFactorMethod = {
      id: kept?.id ?? newMethodId([...previous, ...methods]),
      method: 'authenticator',
      authenticator: { ...AUTHENTICATOR },
      key: key.toString('base64'),
      ...(typeof name === 'string' && name !== '' ? { name } : kept?.name === undefined ? {} : { name: kept.name }),
      ...(kept?.lastUsedStep === undefined || hasSecret ? {} : { lastUsedStep: kept.lastUsedStep }),
    };
    if (methods.some((m) => m.id === method.id)) errors.duplicate(`${path}id`, `The [${path}id] property names a method already in the request.`);
    methods.push(method);
  });
  return { methods, recoveryCodeHashes: methods.length === 0 ? [] : (existing?.twoFactor?.recoveryCodeHashes ?? []) };
}
