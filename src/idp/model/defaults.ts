/**
 * Defaults for new objects, in one place (FusionAuth's where known; docs/idp.md lists the UNCONFIRMED ones).
 */
import type { Application, Tenant } from './types.js';

export const DEFAULT_PORT = 9011;
export const DEFAULT_ISSUER = 'acme.com';
export const DEFAULT_TENANT_NAME = 'Default';
export const DEFAULT_SIGNING_KEY_NAME = 'Default signing key';

export function tenantDefaults(now: number, signingKeyId: string): Omit<Tenant, 'id' | 'name'> {
  return {
    issuer: DEFAULT_ISSUER,
    jwtConfiguration: {
      enabled: true,
      timeToLiveInSeconds: 3600,
      refreshTokenTimeToLiveInMinutes: 43_200,
      accessTokenKeyId: signingKeyId,
      idTokenKeyId: signingKeyId,
      refreshTokenUsagePolicy: 'Reusable',
      refreshTokenExpirationPolicy: 'Fixed',
    },
    loginConfiguration: { requireAuthentication: true },
    failedAuthenticationConfiguration: { tooManyAttempts: 5, resetCountInSeconds: 60, actionDuration: 3, actionDurationUnit: 'MINUTES' },
    passwordValidationRules: { minLength: 8, maxLength: 256 },
    data: {},
    state: 'Active',
    insertInstant: now,
    lastUpdateInstant: now,
  };
}

export function applicationDefaults(now: number, id: string, clientSecret: string): Omit<Application, 'id' | 'name' | 'tenantId'> {
  return {
    active: true,
    roles: [],
    jwtConfiguration: { enabled: false, timeToLiveInSeconds: 3600, refreshTokenTimeToLiveInMinutes: 43_200 },
    loginConfiguration: { allowTokenRefresh: false, generateRefreshTokens: false, requireAuthentication: true },
    oauthConfiguration: {
      clientId: id,
      clientSecret,
      authorizedRedirectURLs: [],
      authorizedOriginURLs: [],
      authorizedURLValidationPolicy: 'ExactMatch',
      enabledGrants: [],
      generateRefreshTokens: true,
      proofKeyForCodeExchangePolicy: 'NotRequired',
      requireRegistration: false,
      logoutBehavior: 'AllApplications',
      scopeHandlingPolicy: 'Strict',
      unknownScopePolicy: 'Reject',
    },
    data: {},
    state: 'Active',
    insertInstant: now,
    lastUpdateInstant: now,
  };
}

export const LOCKOUT_UNIT_MS: Record<string, number> = { SECONDS: 1_000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };
