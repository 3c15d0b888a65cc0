/**
 * Issuing tokens: access tokens (JWTs shaped like FusionAuth's, claim for claim) and refresh tokens. The
 * Login API, the registration APIs and /api/jwt/refresh use this today; the OAuth grants of the next issue
 * (authorization_code, password, refresh_token) are meant to call the same two functions with `grants`,
 * `scope` and an `idToken` signer of their own.
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/index.js';
import type { Application, RefreshToken, Registration, Tenant, User } from '../model/types.js';
import { randomToken, sha256Hex } from '../crypto/secrets.js';
import type { KeyRing } from './keyring.js';
import { currentRoles } from './roles.js';

export interface AccessTokenRequest {
  tenant: Tenant;
  /** The audience; absent for a login without applicationId. */
  application?: Application;
  user: User;
  /** Present when the user is registered to `application`: adds applicationId and roles. */
  registration?: Registration;
  authenticationType: string;
  /** Epoch seconds of the original authentication (kept on refresh). */
  authTime: number;
  /** OAuth grants in order (header `gty`); absent for Login API tokens. */
  grants?: readonly string[];
  scope?: string;
  /** Id of the refresh token issued alongside. */
  sid?: string;
  /** Overrides the configured time to live (never above it). */
  ttlSeconds?: number;
  /** email, email_verified, preferred_username in the token; default true (OAuth `Strict` scope handling: false). */
  profileClaims?: boolean;
}

export interface IssuedAccessToken {
  token: string;
  /** Epoch milliseconds; the JWT's exp is this in seconds. */
  expirationInstant: number;
  jti: string;
}

export interface IssuedRefreshToken {
  token: string;
  record: RefreshToken;
}

export class TokenUnavailableError extends Error {}

/** Seconds a token lives: the application's JWT settings when enabled, else the tenant's. */
export function accessTokenTtl(tenant: Tenant, application?: Application): number {
  return application?.jwtConfiguration.enabled === true ? application.jwtConfiguration.timeToLiveInSeconds : tenant.jwtConfiguration.timeToLiveInSeconds;
}

/** The key that signs access tokens: the application's when its JWT settings are enabled, else the tenant's. */
export function accessTokenKeyId(tenant: Tenant, application?: Application): string {
  return application?.jwtConfiguration.enabled === true && application.jwtConfiguration.accessTokenKeyId !== undefined
    ? application.jwtConfiguration.accessTokenKeyId
    : tenant.jwtConfiguration.accessTokenKeyId;
}

export function refreshPolicy(tenant: Tenant, application?: Application) {
  const app = application?.jwtConfiguration.enabled === true ? application.jwtConfiguration : undefined;
  const sliding = tenant.jwtConfiguration.refreshTokenSlidingWindowConfiguration as { maximumTimeToLiveInMinutes?: number } | undefined;
  return {
    ttlMinutes: app?.refreshTokenTimeToLiveInMinutes ?? tenant.jwtConfiguration.refreshTokenTimeToLiveInMinutes,
    usage: app?.refreshTokenUsagePolicy ?? tenant.jwtConfiguration.refreshTokenUsagePolicy,
    expiration: app?.refreshTokenExpirationPolicy ?? tenant.jwtConfiguration.refreshTokenExpirationPolicy,
    maximumMinutes: sliding?.maximumTimeToLiveInMinutes ?? 43_200,
  };
}

/** When a refresh token stops working, in epoch ms. */
export function refreshTokenExpiry(record: RefreshToken, tenant: Tenant, application?: Application): number {
  const policy = refreshPolicy(tenant, application);
  const ttl = policy.ttlMinutes * 60_000;
  if (policy.expiration === 'SlidingWindow') return record.lastUsedInstant + ttl;
  if (policy.expiration === 'SlidingWindowWithMaximumLifetime') return Math.min(record.lastUsedInstant + ttl, record.startInstant + policy.maximumMinutes * 60_000);
  return record.startInstant + ttl;
}

export class TokenService {
  constructor(
    private readonly storage: Storage,
    private readonly keys: KeyRing,
    private readonly now: () => number,
  ) {}

  async issueAccessToken(request: AccessTokenRequest): Promise<IssuedAccessToken> {
    const { tenant, application, user, registration } = request;
    const keyId = accessTokenKeyId(tenant, application);
    const signer = await this.keys.signer(keyId);
    if (signer === undefined) throw new TokenUnavailableError(`signing key ${keyId} is missing or has no private key`);
    const nowMs = this.now();
    const configured = accessTokenTtl(tenant, application);
    const ttl = request.ttlSeconds !== undefined ? Math.min(request.ttlSeconds, configured) : configured;
    const expirationInstant = nowMs + ttl * 1000;
    const claims: Record<string, unknown> = {};
    if (application !== undefined) claims.aud = application.id;
    claims.exp = Math.floor(expirationInstant / 1000);
    claims.iat = Math.floor(nowMs / 1000);
    claims.iss = tenant.issuer;
    claims.sub = user.id;
    const jti = randomUUID();
    claims.jti = jti;
    claims.authenticationType = request.authenticationType;
    if (request.profileClaims !== false) {
      if (user.email !== undefined) {
        claims.email = user.email;
        claims.email_verified = user.verified;
      }
      if (user.username !== undefined) claims.preferred_username = user.username;
    }
    if (registration !== undefined) claims.applicationId = registration.applicationId;
    if (request.scope !== undefined) claims.scope = request.scope;
    // only roles the application still has: a registration written before role deletes were carried to
    // registrations (services/roles.ts) may still name a deleted role
    if (registration !== undefined) claims.roles = application === undefined ? registration.roles : currentRoles(application, registration.roles);
    if (request.sid !== undefined) claims.sid = request.sid;
    claims.auth_time = request.authTime;
    claims.tid = tenant.id;
    return { token: signer.sign(claims, request.grants), expirationInstant, jti };
  }

  /** Creates and stores a refresh token; only its SHA-256 is kept. */
  async createRefreshToken(options: {
    tenant: Tenant;
    application: Application;
    user: User;
    authTime: number;
    authenticationType: string;
    grants?: string[];
    scope?: string;
    /** A public client's PKCE-redeemed code (see RefreshToken.pkce). */
    pkce?: boolean;
    metaData?: Record<string, unknown>;
  }): Promise<IssuedRefreshToken> {
    const now = this.now();
    const token = randomToken(48);
    const record: RefreshToken = {
      id: randomUUID(),
      tokenHash: sha256Hex(token),
      tenantId: options.tenant.id,
      userId: options.user.id,
      applicationId: options.application.id,
      insertInstant: now,
      startInstant: now,
      lastUsedInstant: now,
      authTime: options.authTime,
      authenticationType: options.authenticationType,
      grants: options.grants ?? [],
      metaData: options.metaData ?? {},
    };
    if (options.scope !== undefined) record.scope = options.scope;
    if (options.pkce === true) record.pkce = true;
    await this.storage.refreshTokens.insert(record);
    return { token, record };
  }

  findRefreshToken(token: string): Promise<RefreshToken | undefined> {
    return this.storage.refreshTokens.findOne({ token_hash: sha256Hex(token) });
  }

  /**
   * Marks a refresh token used: a one-time-use token gets a new value (returned), a reusable one keeps its
   * value. Returns undefined when another exchange won the race for a one-time-use token.
   */
  async useRefreshToken(record: RefreshToken, token: string, oneTimeUse: boolean): Promise<IssuedRefreshToken | undefined> {
    const next: RefreshToken = { ...record, lastUsedInstant: this.now() };
    const value = oneTimeUse ? randomToken(48) : token;
    next.tokenHash = sha256Hex(value);
    const ok = await this.storage.replaceRefreshToken(next, record.tokenHash);
    return ok ? { token: value, record: next } : undefined;
  }
}
