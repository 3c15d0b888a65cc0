/**
 * Scopes of user grants (authorization_code, password, refresh_token): `openid`, `offline_access`,
 * `profile`, `email`, `phone`. Anything else follows the application's `unknownScopePolicy` (`Reject`, the
 * default: `invalid_scope`; `Remove`: dropped; `Allow`: kept in the token). `scopeHandlingPolicy` decides
 * where profile claims go: `Strict` (default) puts them in the id token and userinfo by scope only;
 * `Compatibility` also puts them in the access token and returns them all from userinfo.
 */
import type { Application, Registration, User } from '../model/types.js';
import { oauthError } from './errors.js';

export const KNOWN_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone'] as const;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function splitScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  const out: string[] = [];
  for (const s of scope.split(' ')) {
    if (s === '') continue;
    if (!SCOPE_TOKEN.test(s)) oauthError('invalid_scope', 'unknown_scope', 'The [scope] parameter contains characters that are not allowed.');
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The granted scopes for a user grant, by the application's unknownScopePolicy. */
export function grantUserScopes(application: Application, requested: string | undefined): string[] {
  const policy = application.oauthConfiguration.unknownScopePolicy;
  const out: string[] = [];
  for (const s of splitScope(requested)) {
    if ((KNOWN_SCOPES as readonly string[]).includes(s) || policy === 'Allow') out.push(s);
    else if (policy !== 'Remove') oauthError('invalid_scope', 'unknown_scope', `The scope [${s.slice(0, 100)}] is not known.`);
  }
  return out;
}

export function strict(application: Application): boolean {
  return application.oauthConfiguration.scopeHandlingPolicy !== 'Compatibility';
}

/**
 * The OIDC profile claims of a user for the given scopes (`all`: every claim, as Compatibility's userinfo).
 */
export function profileClaims(user: User, scopes: readonly string[], all = false): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const has = (s: string) => all || scopes.includes(s);
  if (has('email') && user.email !== undefined) {
    claims.email = user.email;
    claims.email_verified = user.verified;
  }
  if (has('profile')) {
    const u = user as User & { birthDate?: string; imageUrl?: string };
    if (u.birthDate !== undefined) claims.birthdate = u.birthDate;
    if (user.lastName !== undefined) claims.family_name = user.lastName;
    if (user.firstName !== undefined) claims.given_name = user.firstName;
    if (user.middleName !== undefined) claims.middle_name = user.middleName;
    const name = user.fullName ?? ([user.firstName, user.lastName].filter((n) => n !== undefined).join(' ') || undefined);
    if (name !== undefined) claims.name = name;
    if (u.imageUrl !== undefined) claims.picture = u.imageUrl;
    if (user.username !== undefined) claims.preferred_username = user.username;
  }
  if (has('phone')) {
    const phone = (user as User & { mobilePhone?: string; phoneNumber?: string }).phoneNumber ?? (user as User & { mobilePhone?: string }).mobilePhone;
    if (phone !== undefined) claims.phone_number = phone;
  }
  return claims;
}

/** Compatibility's extra userinfo members. */
export function registrationClaims(registration: Registration | undefined): Record<string, unknown> {
  return registration === undefined ? {} : { applicationId: registration.applicationId, roles: registration.roles };
}
