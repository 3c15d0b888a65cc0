/**
 * The stored shapes of the identity provider's objects. Each is the FusionAuth JSON object as the API
 * returns it, plus any secret the API never returns (kept in the same stored document; the serializers in
 * model/serialize.ts decide what leaves the process). Instants are epoch milliseconds.
 */
export type Json = Record<string, unknown>;

export interface TenantJwtConfiguration {
  enabled: boolean;
  timeToLiveInSeconds: number;
  refreshTokenTimeToLiveInMinutes: number;
  accessTokenKeyId: string;
  idTokenKeyId: string;
  refreshTokenUsagePolicy: 'Reusable' | 'OneTimeUse';
  refreshTokenExpirationPolicy: 'Fixed' | 'SlidingWindow' | 'SlidingWindowWithMaximumLifetime';
  [k: string]: unknown;
}

export interface FailedAuthenticationConfiguration {
  /** Failed logins within `resetCountInSeconds` that lock the user. */
  tooManyAttempts: number;
  resetCountInSeconds: number;
  actionDuration: number;
  actionDurationUnit: 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';
  [k: string]: unknown;
}

export interface Tenant {
  id: string;
  name: string;
  issuer: string;
  jwtConfiguration: TenantJwtConfiguration;
  loginConfiguration: { requireAuthentication: boolean; [k: string]: unknown };
  failedAuthenticationConfiguration: FailedAuthenticationConfiguration;
  passwordValidationRules: { minLength: number; maxLength: number; [k: string]: unknown };
  data: Json;
  state: string;
  insertInstant: number;
  lastUpdateInstant: number;
  [k: string]: unknown;
}

export interface Role {
  id: string;
  name: string;
  description?: string;
  isDefault: boolean;
  isSuperRole: boolean;
  insertInstant: number;
  lastUpdateInstant: number;
}

export interface Application {
  id: string;
  tenantId: string;
  name: string;
  active: boolean;
  roles: Role[];
  jwtConfiguration: {
    enabled: boolean;
    timeToLiveInSeconds: number;
    refreshTokenTimeToLiveInMinutes: number;
    accessTokenKeyId?: string;
    idTokenKeyId?: string;
    refreshTokenUsagePolicy?: 'Reusable' | 'OneTimeUse';
    refreshTokenExpirationPolicy?: TenantJwtConfiguration['refreshTokenExpirationPolicy'];
    [k: string]: unknown;
  };
  loginConfiguration: { allowTokenRefresh: boolean; generateRefreshTokens: boolean; requireAuthentication: boolean; [k: string]: unknown };
  oauthConfiguration: { clientId: string; clientSecret: string; scopeHandlingPolicy: 'Compatibility' | 'Strict'; [k: string]: unknown };
  data: Json;
  state: string;
  insertInstant: number;
  lastUpdateInstant: number;
  [k: string]: unknown;
}

export type KeyAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'HS256' | 'HS384' | 'HS512' | 'Ed25519';
export type KeyType = 'RSA' | 'EC' | 'HMAC' | 'OKP';

export interface Key {
  id: string;
  name: string;
  algorithm: KeyAlgorithm;
  type: KeyType;
  kid: string;
  length?: number;
  issuer?: string;
  publicKey?: string;
  certificate?: string;
  certificateInformation?: Json;
  expirationInstant?: number;
  hasPrivateKey: boolean;
  insertInstant: number;
  lastUpdateInstant: number;
  /** PKCS#8 PEM of the private key. Never returned. */
  privateKey?: string;
  /** HMAC secret, base64. Never returned. */
  secret?: string;
}

export interface ApiKey {
  id: string;
  /** The key value, kept only while `retrievable` is true. */
  key?: string;
  /** SHA-256 (hex) of the key value; how a presented key is found. */
  keyHash: string;
  keyManager: boolean;
  name?: string;
  permissions: { endpoints: Record<string, string[]> };
  tenantId?: string;
  metaData: { attributes: Record<string, string> };
  retrievable: boolean;
  expirationInstant?: number;
  insertInstant: number;
  lastUpdateInstant: number;
}

export interface User {
  id: string;
  tenantId: string;
  email?: string;
  username?: string;
  active: boolean;
  verified: boolean;
  firstName?: string;
  lastName?: string;
  fullName?: string;
  middleName?: string;
  data: Json;
  passwordChangeRequired: boolean;
  passwordLastUpdateInstant?: number;
  /** argon2id PHC string. Never returned. */
  passwordHash?: string;
  changePasswordId?: string;
  expiry?: number;
  insertInstant: number;
  lastUpdateInstant: number;
  lastLoginInstant?: number;
  /** Two-factor methods (with their secrets) and recovery code hashes; model/serialize.ts returns only the public part. */
  twoFactor?: UserTwoFactor;
  [k: string]: unknown;
}

/** The TOTP parameters FusionAuth supports: the only ones accepted. */
export interface AuthenticatorConfiguration {
  algorithm: 'HmacSHA1';
  codeLength: 6;
  timeStep: 30;
}

/** A two-factor method as stored (FusionAuth's TwoFactorMethod plus what is never returned). */
export interface TwoFactorMethod {
  /** 4 characters, as FusionAuth's (`2KSZ`). */
  id: string;
  method: 'authenticator' | 'email';
  name?: string;
  /** Authenticator (TOTP) methods only. */
  authenticator?: AuthenticatorConfiguration;
  /** The TOTP key bytes, base64 (authenticator methods; empty for email). Never returned. */
  key: string;
  /** Where an email method's codes go. */
  email?: string;
  /** The last TOTP time step accepted for this method: a code is never accepted twice. Never returned. */
  lastUsedStep?: number;
}

export interface UserTwoFactor {
  methods: TwoFactorMethod[];
  /** SHA-256 (hex) of `userId:code` of each unused recovery code. Never returned. */
  recoveryCodeHashes: string[];
  /** The last emailed code to enable or disable an email method (`POST /api/two-factor/send`). Never returned. */
  emailCode?: EmailCode;
}

/** An emailed one-time code, stored as SHA-256 of `salt:code`; single-use and expiring. */
export interface EmailCode {
  hash: string;
  expiresInstant: number;
  /** Enabling: the address the code went to. */
  email?: string;
  /** Disabling, or a login: the method the code was sent for. */
  methodId?: string;
}

/**
 * A pending two-factor login (FusionAuth's `twoFactorId`), stored under the SHA-256 of the id: the
 * password was right, the second factor is awaited. Single-use and expiring; `failures` counts wrong codes.
 */
export interface TwoFactorLogin {
  id: string;
  tenantId: string;
  userId: string;
  applicationId?: string;
  insertInstant: number;
  expiresInstant: number;
  failures: number;
  /** The code last emailed for this login (`POST /api/two-factor/send/{twoFactorId}`); a new send replaces it. */
  emailCode?: EmailCode;
  /** What completes it: the Login API, the hosted login page (with its authorization request) or the account page. */
  purpose: 'api' | 'oauth' | 'account';
  /** Login API options carried over (noJWT, metaData). */
  noJWT?: boolean;
  metaData?: Json;
  /** The hosted page's authorization request, replayed when the code is right. */
  oauth?: { redirectUri: string; scope: string; state?: string; nonce?: string; codeChallenge?: string; userState: string; rememberDevice?: boolean };
}

/** A trusted device (FusionAuth's `twoFactorTrustId`), stored under the SHA-256 of the id. */
export interface TwoFactorTrust {
  id: string;
  tenantId: string;
  userId: string;
  insertInstant: number;
  expiresInstant: number;
}

export interface Registration {
  id: string;
  userId: string;
  applicationId: string;
  tenantId: string;
  roles: string[];
  data: Json;
  username?: string;
  verified: boolean;
  verifiedInstant?: number;
  insertInstant: number;
  lastUpdateInstant: number;
  lastLoginInstant?: number;
  [k: string]: unknown;
}

/**
 * A refresh token. The value is never stored, only its SHA-256; `grants` and `scope` let the OAuth grants
 * of the next issue reuse the same records (the header `gty` of a refreshed token = grants + refresh_token).
 */
export interface RefreshToken {
  id: string;
  tokenHash: string;
  tenantId: string;
  userId: string;
  applicationId: string;
  insertInstant: number;
  startInstant: number;
  /** Last exchange; the sliding-window policies count from here. */
  lastUsedInstant: number;
  authTime: number;
  authenticationType: string;
  grants: string[];
  scope?: string;
  /** Issued to a public client that redeemed its code with PKCE (may refresh without a secret under NotRequiredWhenUsingPKCE). */
  pkce?: boolean;
  metaData: Json;
}

/**
 * An OAuth authorization code (src/idp/oauth/codes.ts). Stored under the SHA-256 of the code; `used` turns
 * true at the one exchange, and the tokens issued then are recorded so a replay can revoke them.
 */
export interface AuthorizationCode {
  /** SHA-256 (hex) of the code value. */
  id: string;
  tenantId: string;
  applicationId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256';
  /** Epoch seconds of the login. */
  authTime: number;
  insertInstant: number;
  expiresInstant: number;
  used: boolean;
  /** Set at the exchange: the access token's jti and the refresh token issued with it. */
  accessTokenJti?: string;
  refreshTokenId?: string;
  /** True once a replay revoked what the exchange issued. */
  revoked?: boolean;
}

/**
 * An SSO session of the hosted login pages (src/idp/services/sso-session.ts). `id` is the SHA-256 (hex) of
 * the `fusionauth.sso` cookie value, which is never stored.
 */
export interface SsoSession {
  id: string;
  tenantId: string;
  userId: string;
  /** Epoch seconds of the interactive sign-in (the id token's `auth_time`). */
  authTime: number;
  /** "Keep me signed in": a persistent cookie rather than one that ends with the browser session. */
  persistent: boolean;
  /** The user's `passwordLastUpdateInstant` at sign-in: a password change ends the session. */
  passwordInstant?: number;
  /** The applications that received a code through this session (front-channel logout calls theirs). */
  applicationIds: string[];
  insertInstant: number;
  lastAccessInstant: number;
  /** lastAccessInstant + the tenant's lifetime when last written (for clean-up; the current tenant setting decides). */
  expiresInstant: number;
}

export type UserCodeKind = 'changePassword' | 'emailVerification' | 'registrationVerification';

/**
 * A one-time identifier handed to a user (src/idp/services/user-codes.ts): a change-password id or an
 * email/registration verification id. Stored under the SHA-256 of the value, which exists in clear only in
 * the answer or the email that carries it; deleted when used, replaced or expired.
 */
export interface UserCode {
  /** SHA-256 (hex) of the value. */
  id: string;
  kind: UserCodeKind;
  tenantId: string;
  userId: string;
  /** The application whose templates / registration it is for. */
  applicationId?: string;
  /** The email address a verification id verifies (a later change of address voids it). */
  email?: string;
  /** The request's `state`, returned when the change completes. */
  state?: Json;
  insertInstant: number;
  expiresInstant: number;
}

/** An admin console session as stored (src/idp/admin/session.ts): `id` is the SHA-256 of the cookie value. */
export interface StoredAdminSession {
  id: string;
  csrf: string;
  userId?: string;
  loginId?: string;
  created: number;
  seen: number;
  flash?: string;
}

/**
 * A theme of the hosted pages (FusionAuth's simple theme): colours and a logo in `variables`
 * (src/idp/oauth/theme/variables.ts lists the ones Gatehouse draws). Tenants use one by `themeId`, an
 * application may override its tenant's.
 */
export interface Theme {
  id: string;
  name: string;
  type: 'simple';
  variables: Record<string, string>;
  data: Json;
  insertInstant: number;
  lastUpdateInstant: number;
}
