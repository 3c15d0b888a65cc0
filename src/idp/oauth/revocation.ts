/**
 * Whether a verified access token has been revoked since it was issued. JWTs cannot be recalled from a
 * gateway that checks them offline, so this answers for the endpoints that ask us (introspect,
 * userinfo): a token whose `sid` names a refresh token that no longer exists (revoked, logged out, or
 * killed by a code replay), or whose `jti` came from a replayed authorization code, is inactive.
 */
import type { JWTPayload } from 'jose';
import type { IdpContext } from '../context.js';
import { revokedByReplay } from './codes.js';

export async function isRevoked(ctx: IdpContext, claims: JWTPayload): Promise<boolean> {
  if (typeof claims.sid === 'string' && (await ctx.storage.refreshTokens.get(claims.sid)) === undefined) return true;
  return typeof claims.jti === 'string' && (await revokedByReplay(ctx, claims.jti));
}
