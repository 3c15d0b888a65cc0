/**
 * The `id_token_hint` of /oauth2/logout, verified. Either a token signed by one of Key Master's keys (its
 * `kid` and `alg` name the key: RS256/ES256/EdDSA keys, and HMAC keys with their own secret), or — as
 * FusionAuth accepts it — an id token of an application whose id-token key is an HMAC key: those are
 * signed with the application's client secret and carry no `kid` (id-token.ts). Such a token is verified
 * with the client secret of the application its `aud` names (and `client_id`, when given, must be that
 * application), with that HMAC key's algorithm only. Expired, unverifiable or anything else: undefined.
 */
import { createSecretKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { IdpContext } from '../context.js';
import { joseAlgorithm } from '../crypto/jws.js';
import { findClient } from './client-auth.js';
import { idTokenKeyId } from './id-token.js';

export async function verifyIdTokenHint(ctx: IdpContext, hint: string, clientId: string | undefined): Promise<JWTPayload | undefined> {
  const signedByKey = await ctx.keys.verify(hint);
  if (signedByKey !== undefined) return signedByKey;
  let alg: unknown;
  let aud: unknown;
  try {
    const header = decodeProtectedHeader(hint);
    if (header.kid !== undefined) return undefined;
    alg = header.alg;
    aud = decodeJwt(hint).aud;
  } catch {
    return undefined;
  }
  if (typeof aud !== 'string' || (clientId !== undefined && clientId.toLowerCase() !== aud)) return undefined;
  const application = await findClient(ctx, aud);
  const secret = application?.oauthConfiguration.clientSecret;
  if (application === undefined || typeof secret !== 'string' || secret === '') return undefined;
  const tenant = await ctx.storage.tenants.get(application.tenantId);
  const key = tenant === undefined ? undefined : await ctx.storage.keys.get(idTokenKeyId(tenant, application));
  if (key?.type !== 'HMAC' || alg !== joseAlgorithm(key.algorithm)) return undefined;
  try {
    const { payload } = await jwtVerify(hint, createSecretKey(Buffer.from(secret, 'utf8')), { algorithms: [alg as string], audience: application.id, currentDate: new Date(ctx.now()) });
    return payload;
  } catch {
    return undefined;
  }
}
