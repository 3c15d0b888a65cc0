/**
 * What leaves the process: each object as the API returns it. Private keys, HMAC secrets, password hashes
 * and API key hashes are stored but never serialised; the lists here are allow-lists for that reason.
 */
import type { ApiKey, Key, RefreshToken, Registration, User } from './types.js';
import { twoFactorJson } from '../services/two-factor/methods.js';

function pick<T extends object>(source: T, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = (source as Record<string, unknown>)[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out;
}

const KEY_FIELDS = ['id', 'name', 'algorithm', 'type', 'kid', 'length', 'issuer', 'publicKey', 'certificate', 'certificateInformation', 'expirationInstant', 'hasPrivateKey', 'insertInstant', 'lastUpdateInstant'] as const;
const HMAC_KEY_FIELDS = ['id', 'name', 'algorithm', 'type', 'kid', 'hasPrivateKey', 'insertInstant', 'lastUpdateInstant'] as const;

export function keyJson(key: Key): Record<string, unknown> {
  return pick(key, key.type === 'HMAC' ? HMAC_KEY_FIELDS : KEY_FIELDS);
}

const API_KEY_FIELDS = ['id', 'key', 'keyManager', 'name', 'permissions', 'tenantId', 'metaData', 'retrievable', 'expirationInstant', 'insertInstant', 'lastUpdateInstant'] as const;

export function apiKeyJson(apiKey: ApiKey, options: { includeKey: boolean }): Record<string, unknown> {
  const out = pick(apiKey, API_KEY_FIELDS);
  if (!options.includeKey) delete out.key;
  return out;
}

const USER_SECRET_FIELDS = new Set(['passwordHash', 'changePasswordId', 'password', 'salt', 'encryptionScheme', 'factor', 'twoFactor']);
const REGISTRATION_INTERNAL_FIELDS = new Set(['userId', 'tenantId']);

export function registrationJson(registration: Registration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(registration)) {
    if (!REGISTRATION_INTERNAL_FIELDS.has(field) && value !== undefined && value !== null) out[field] = value;
  }
  return out;
}

/** The "secured" user: no password, hash or change-password id; its registrations attached. */
export function userJson(user: User, registrations?: readonly Registration[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(user)) {
    if (!USER_SECRET_FIELDS.has(field) && value !== undefined && value !== null) out[field] = value;
  }
  // two-factor methods without their secrets, and never the recovery code hashes
  const twoFactor = twoFactorJson(user);
  if (twoFactor !== undefined) out.twoFactor = twoFactor;
  if (registrations !== undefined) out.registrations = registrations.map(registrationJson);
  return out;
}

/**
 * FusionAuth's RefreshToken: id, applicationId, userId, tenantId, insertInstant, startInstant, `data`, and
 * `metaData` with the login's `device` (plus `lastAccessedInstant`, the last exchange) and the granted
 * `scopes`. The token value itself (FusionAuth's `token`) is not returned: only its SHA-256 is stored.
 */
export function refreshTokenJson(token: RefreshToken): Record<string, unknown> {
  const out = pick(token, ['id', 'applicationId', 'userId', 'tenantId', 'insertInstant', 'startInstant']);
  const given = (token.metaData ?? {}) as Record<string, unknown>;
  const device = typeof given.device === 'object' && given.device !== null ? (given.device as Record<string, unknown>) : {};
  const scopes = token.scope !== undefined ? token.scope.split(' ').filter((s) => s !== '') : Array.isArray(given.scopes) ? given.scopes : [];
  out.data = {};
  out.metaData = { ...given, device: { ...device, lastAccessedInstant: token.lastUsedInstant }, scopes };
  return out;
}
