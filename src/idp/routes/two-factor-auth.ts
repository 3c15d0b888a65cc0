/**
 * Who a two-factor API call acts for. FusionAuth offers each call with an API key (the user named in the
 * path) or with the user's own access token (`Authorization: Bearer`, or the `access_token` cookie; no
 * user id in the path). Neither: 401.
 */
import type { FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { unauthorized } from '../model/errors.js';
import type { User } from '../model/types.js';
import { isRevoked } from '../oauth/revocation.js';
import { bearerToken } from './jwt.js';
import { findUser } from './users.js';

/** The active user whose valid, unrevoked access token the request carries; undefined otherwise. */
export async function jwtUser(ctx: IdpContext, request: FastifyRequest): Promise<User | undefined> {
  const token = bearerToken(request);
  const claims = token === undefined ? undefined : await ctx.keys.verify(token);
  if (claims === undefined || typeof claims.sub !== 'string' || (await isRevoked(ctx, claims))) return undefined;
  const user = await ctx.storage.users.get(claims.sub);
  return user !== undefined && user.active ? user : undefined;
}

/** The user of the call: by path id with an API key, else from the access token; 401 when neither. */
export async function actingUser(ctx: IdpContext, request: FastifyRequest, pathUserId: string | undefined): Promise<User> {
  if (pathUserId !== undefined) {
    if (request.apiKey === undefined) return unauthorized();
    return findUser(ctx, request, pathUserId);
  }
  return (await jwtUser(ctx, request)) ?? unauthorized();
}
