/** Building and checking users: the allowed fields, email/username rules, password rules and hashing. */
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError } from '../model/errors.js';
import { isObject, optionalBoolean, optionalInteger, optionalString, type Body } from '../model/input.js';
import type { Tenant, User } from '../model/types.js';
import { DuplicateError } from '../storage/index.js';
import { refuseUnimplementedFields } from '../http/not-implemented.js';
import { parseUserTwoFactor } from './two-factor/methods.js';
import { checkPassword } from './password-rules.js';

const STRING_FIELDS = ['email', 'username', 'firstName', 'lastName', 'fullName', 'middleName', 'mobilePhone', 'phoneNumber', 'imageUrl', 'timezone', 'parentEmail'] as const;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const BIRTH_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface UserInput {
  user: User;
  /** The new password, when one was given (hashed into `user.passwordHash` by `buildUser`). */
  password?: string;
}

/**
 * Validates `input` (the request's `user` object) for `tenant` and returns the complete user. `existing`
 * is the stored user on update (PUT keeps its password when none is given).
 */
/** The user members Gatehouse reads, and the ones it returns and accepts back unchanged (server-set). */
const USER_FIELDS: ReadonlySet<string> = new Set([
  ...STRING_FIELDS, 'id', 'password', 'birthDate', 'data', 'preferredLanguages', 'expiry', 'passwordChangeRequired',
  'tenantId', 'active', 'verified', 'verifiedInstant', 'insertInstant', 'lastUpdateInstant', 'lastLoginInstant', 'passwordLastUpdateInstant',
  'registrations', 'usernameStatus', 'uniqueUsername', 'breachedPasswordStatus', 'breachedPasswordLastCheckedInstant', 'passwordChangeReason', 'twoFactor',
]);
/** FusionAuth user members Gatehouse does not implement: refused when they ask for anything (a two-factor method, a group...). */
const USER_UNIMPLEMENTED: ReadonlySet<string> = new Set(['memberships', 'cleanSpeakId', 'connectorId', 'encryptionScheme', 'factor', 'salt', 'identities', 'phoneNumberVerified']);

export async function buildUser(ctx: IdpContext, tenant: Tenant, id: string, input: Body, options: { existing?: User; passwordOptional?: boolean }): Promise<User> {
  const errors = refuseUnimplementedFields(input, 'user', USER_FIELDS, USER_UNIMPLEMENTED);
  const { existing } = options;
  const fields: Record<string, unknown> = {};
  for (const field of STRING_FIELDS) {
    const value = optionalString(errors, input, field, `user.${field}`);
    if (value !== undefined && value.trim() !== '') fields[field] = value.trim();
  }
  const email = fields.email as string | undefined;
  const username = fields.username as string | undefined;
  if (email === undefined && username === undefined) {
    errors.blank('user.email', 'You must specify either the [user.email] or [user.username] property. If you are emailing the user you must specify the [user.email].');
  }
  if (email !== undefined && !EMAIL.test(email)) errors.invalid('user.email', `The [user.email] property value [${email}] is not a valid email address.`);
  const password = optionalString(errors, input, 'password', 'user.password');
  if (password === undefined || password === '') {
    if (existing?.passwordHash === undefined && options.passwordOptional !== true) errors.blank('user.password');
  } else checkPassword(errors, tenant, password, 'user.password');
  const birthDate = optionalString(errors, input, 'birthDate', 'user.birthDate');
  if (birthDate !== undefined && (!BIRTH_DATE.test(birthDate) || Number.isNaN(Date.parse(birthDate)))) errors.invalid('user.birthDate', 'The [user.birthDate] property must be a date as YYYY-MM-DD.');
  const data = input.data;
  if (data !== undefined && data !== null && !isObject(data)) errors.invalid('user.data', 'The [user.data] property must be an object.');
  const preferredLanguages = input.preferredLanguages;
  if (preferredLanguages !== undefined && preferredLanguages !== null && (!Array.isArray(preferredLanguages) || preferredLanguages.some((l) => typeof l !== 'string'))) {
    errors.invalid('user.preferredLanguages', 'The [user.preferredLanguages] property must be an array of strings.');
  }
  const expiry = optionalInteger(errors, input, 'expiry', 'user.expiry');
  const passwordChangeRequired = optionalBoolean(errors, input, 'passwordChangeRequired', 'user.passwordChangeRequired');
  const twoFactor = parseUserTwoFactor(errors, tenant, input, existing);
  errors.throwIfAny();

  for (const [field, value, label] of [['email', email, 'email'], ['username', username, 'username']] as const) {
    if (value === undefined) continue;
    const other = await ctx.storage.users.findOne({ tenant_id: tenant.id, [field]: value.toLowerCase() });
    if (other !== undefined && other.id !== id) errors.duplicate(`user.${field}`, `A User with ${label} = [${value}] already exists.`);
  }
  errors.throwIfAny();

  const now = ctx.now();
  const user: User = {
    id,
    tenantId: tenant.id,
    active: existing?.active ?? true,
    verified: existing?.verified ?? true,
    ...fields,
    ...(email === undefined ? {} : { email: email.toLowerCase() }),
    data: isObject(data) ? data : {},
    passwordChangeRequired: passwordChangeRequired ?? false,
    insertInstant: existing?.insertInstant ?? now,
    lastUpdateInstant: now,
  };
  if (birthDate !== undefined) user.birthDate = birthDate;
  if (Array.isArray(preferredLanguages)) user.preferredLanguages = preferredLanguages;
  if (expiry !== undefined) user.expiry = expiry;
  if (existing?.lastLoginInstant !== undefined) user.lastLoginInstant = existing.lastLoginInstant;
  if (twoFactor !== undefined && twoFactor.methods.length > 0) user.twoFactor = twoFactor;
  if (password !== undefined && password !== '') {
    user.passwordHash = await ctx.passwords.hash(password);
    user.passwordLastUpdateInstant = now;
  } else if (existing?.passwordHash !== undefined) {
    user.passwordHash = existing.passwordHash;
    if (existing.passwordLastUpdateInstant !== undefined) user.passwordLastUpdateInstant = existing.passwordLastUpdateInstant;
  }
  // a change-password id stored on the user by an earlier version (in clear) still works until used
  if (user.passwordChangeRequired && existing?.changePasswordId !== undefined) user.changePasswordId = existing.changePasswordId;
  return user;
}

/** Inserts or replaces a user; a lost uniqueness race becomes the same field error as the pre-check. */
export async function saveUser(ctx: IdpContext, user: User, create: boolean): Promise<void> {
  try {
    if (create) await ctx.storage.users.insert(user);
    else await ctx.storage.users.update(user);
  } catch (error) {
    if (error instanceof DuplicateError) {
      if (create && (await ctx.storage.users.get(user.id)) !== undefined) fieldError('user.id', 'duplicate', `A User with Id [${user.id}] already exists.`);
      if (/username/.test(error.constraint)) fieldError('user.username', 'duplicate', `A User with username = [${user.username}] already exists.`);
      fieldError('user.email', 'duplicate', `A User with email = [${user.email}] already exists.`);
    }
    throw error;
  }
}

/** Finds a user by login id (email or username, as `types` allows) within a tenant. */
export async function findByLoginId(ctx: IdpContext, tenantId: string, loginId: string, types: readonly string[] = ['email', 'username']): Promise<User | undefined> {
  const value = loginId.trim().toLowerCase();
  if (types.includes('email')) {
    const user = await ctx.storage.users.findOne({ tenant_id: tenantId, email: value });
    if (user !== undefined) return user;
  }
  if (types.includes('username')) return ctx.storage.users.findOne({ tenant_id: tenantId, username: value });
  return undefined;
}
