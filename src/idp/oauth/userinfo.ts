/**
 * `GET|POST /oauth2/userinfo` with a Bearer access token from an OAuth user grant. Under `Strict` scope
 * handling the token must carry `openid` and the claims follow its scopes; under `Compatibility` every
 * profile claim plus `applicationId` and `roles` are returned. A missing, invalid, expired or revoked
 * token is 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750). The hosted backend's
 * `/app/me` answers the same for the token of its `app.at` cookie (`userInfo`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { OAUTH_ROUTE } from './http.js';
import { isRevoked } from './revocation.js';
import { profileClaims, registrationClaims, strict } from './scopes.js';

export type UserInfoResult =
  | { status: 200; body: Record<string, unknown>; applicationId: string }
  | { status: 401; description: string }
  | { status: 403; applicationId: string };

/** The userinfo answer for an access token ('' when none was presented). */
export async function userInfo(ctx: IdpContext, token: string): Promise<UserInfoResult> {
  if (token === '') return { status: 401, description: 'The request has no Bearer access token.' };
  const claims = await ctx.keys.verify(token);
  if (claims === undefined || typeof claims.sub !== 'string' || typeof claims.aud !== 'string') return { status: 401, description: 'The access token is not valid.' };
  if (await isRevoked(ctx, claims)) return { status: 401, description: 'The access token has been revoked.' };
  const [user, application] = await Promise.all([ctx.storage.users.get(claims.sub), ctx.storage.applications.get(claims.aud)]);
  if (user === undefined || application === undefined || !user.active) return { status: 401, description: 'The access token is not valid.' };
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  const body: Record<string, unknown> = { sub: user.id };
  if (strict(application)) {
    if (!scopes.includes('openid')) return { status: 403, applicationId: application.id };
    Object.assign(body, profileClaims(user, scopes));
  } else {
    const registration = await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id });
    Object.assign(body, profileClaims(user, scopes, true), registrationClaims(registration));
  }
  return { status: 200, body, applicationId: application.id };
}

/** Sends a userinfo result with RFC 6750's headers. */
export function sendUserInfo(reply: FastifyReply, result: UserInfoResult): FastifyReply {
  void reply.header('cache-control', 'no-store');
  if (result.status === 200) return reply.send(result.body);
  if (result.status === 403) {
    return reply
      .code(403)
      .header('www-authenticate', 'Bearer error="insufficient_scope", scope="openid"')
      .send({ error: 'insufficient_scope', error_description: 'The access token lacks the openid scope.', error_reason: 'missing_required_scope' });
  }
  return reply
    .code(401)
    .header('www-authenticate', `Bearer error="invalid_token", error_description="${result.description}"`)
    .send({ error: 'invalid_token', error_description: result.description, error_reason: 'access_token_invalid' });
}

export function registerUserinfo(app: FastifyInstance, ctx: IdpContext): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const token = header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : '';
    return sendUserInfo(reply, await userInfo(ctx, token));
  };
  app.get('/oauth2/userinfo', { config: OAUTH_ROUTE }, handle);
  app.post('/oauth2/userinfo', { config: OAUTH_ROUTE }, handle);
}
