/**
 * The OpenID Connect id token: signed with the application's `idTokenKeyId` (an RS256 key generated at
 * its creation unless configured) or the tenant's; an HMAC key means HMAC with the client secret. `aud` is the client id; `at_hash` is the left half of the hash of the access
 * token (SHA-256 for *256 algorithms, SHA-384, SHA-512, and SHA-512 for EdDSA); `nonce` repeats the
 * authorization request's. Profile claims follow the granted scopes (scopes.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IdpContext } from '../context.js';
import type { Application, Key, Tenant, User } from '../model/types.js';
import { JwsSigner } from '../crypto/jws.js';
import { accessTokenTtl } from '../services/tokens.js';
import { oauthError } from './errors.js';
import { profileClaims } from './scopes.js';

export function tokenHash(alg: string, token: string): string {
  const bits = alg === 'EdDSA' ? '512' : alg.slice(2);
  const digest = createHash(bits === '384' ? 'sha384' : bits === '512' ? 'sha512' : 'sha256').update(token, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The application's id-token key whenever it has one (every application created now does), else the tenant's. */
export function idTokenKeyId(tenant: Tenant, application: Application): string {
  return application.jwtConfiguration.idTokenKeyId ?? tenant.jwtConfiguration.idTokenKeyId;
}

/**
 * The signer of an application's id tokens. An HMAC key is never used with its own secret (the client
 * does not have it): the token is signed with the same HMAC algorithm keyed by the client secret, as
 * OpenID Connect Core 10.1 says, and carries no `kid`.
 */
export async function idTokenSigner(ctx: IdpContext, tenant: Tenant, application: Application): Promise<JwsSigner | undefined> {
  const signer = await ctx.keys.signer(idTokenKeyId(tenant, application));
  if (signer === undefined || signer.key.type !== 'HMAC') return signer;
  const secret = application.oauthConfiguration.clientSecret;
  if (typeof secret !== 'string' || secret === '') return undefined;
  const { kid: _kid, ...key } = signer.key;
  return new JwsSigner({ ...key, secret: Buffer.from(secret, 'utf8').toString('base64') } as Key);
}

export interface IdTokenRequest {
  tenant: Tenant;
  application: Application;
  user: User;
  scopes: readonly string[];
  authenticationType: string;
  authTime: number;
  accessToken: string;
  grants: readonly string[];
  nonce?: string;
  sid?: string;
}

export async function issueIdToken(ctx: IdpContext, request: IdTokenRequest): Promise<string> {
  const { tenant, application, user } = request;
  const signer = await idTokenSigner(ctx, tenant, application);
  if (signer === undefined) return oauthError('server_error', 'unknown', 'The id token signing key is not available.', 500);
  const nowS = Math.floor(ctx.now() / 1000);
  const claims: Record<string, unknown> = {
    aud: application.id,
    exp: nowS + accessTokenTtl(tenant, application),
    iat: nowS,
    iss: tenant.issuer,
    sub: user.id,
    jti: randomUUID(),
    authenticationType: request.authenticationType,
    ...profileClaims(user, request.scopes),
    at_hash: tokenHash(signer.alg, request.accessToken),
  };
  if (request.nonce !== undefined) claims.nonce = request.nonce;
  claims.auth_time = request.authTime;
  if (request.sid !== undefined) claims.sid = request.sid;
  claims.tid = tenant.id;
  return signer.sign(claims, request.grants);
}
