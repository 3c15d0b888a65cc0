/**
 * `GET /api/jwt/issue?applicationId=` (FusionAuth's issueJWT, single sign-on between applications): a
 * valid access token of ours (`Authorization: Bearer` or the `access_token` cookie) buys an access token
 * for another application of the same tenant, for the same user, expiring no later than the presented one
 * (its `exp`, capped by the target's TTL), `authenticationType: JWT_SSO`, `auth_time` kept. 200 when the
 * user is registered to the target (the token has `applicationId` and `roles`), 202 when not (it has
 * neither), 401 for a missing, invalid, expired or revoked token. Exchanging a refresh token along
 * (`refreshToken`) is not implemented: 400 `[notImplemented]refreshToken`, never silently ignored.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { fieldError, unauthorized } from '../model/errors.js';
import { isUuid } from '../model/input.js';
import { isRevoked } from '../oauth/revocation.js';
import { bearerToken } from './jwt.js';
import { query } from './common.js';

export function registerJwtIssueRoute(app: FastifyInstance, ctx: IdpContext): void {
  app.get('/api/jwt/issue', { config: { auth: 'none' } }, async (request, reply) => {
    const q = query(request);
    if (q.refreshToken !== undefined) fieldError('refreshToken', 'notImplemented', 'Gatehouse does not implement [refreshToken] on /api/jwt/issue; exchange it with POST /api/jwt/refresh.');
    const token = bearerToken(request);
    const claims = token === undefined ? undefined : await ctx.keys.verify(token);
    if (claims === undefined || typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || (await isRevoked(ctx, claims))) return unauthorized();
    if (!isUuid(q.applicationId)) return fieldError('applicationId', 'invalid', 'You must specify a valid [applicationId] parameter.');
    const [application, user] = await Promise.all([ctx.storage.applications.get(q.applicationId.toLowerCase()), ctx.storage.users.get(claims.sub)]);
    if (user === undefined || !user.active) return unauthorized();
    if (application === undefined || !application.active || application.tenantId !== user.tenantId) {
      return fieldError('applicationId', 'invalid', `The Application Id [${q.applicationId}] is not valid.`);
    }
    const tenant = (await ctx.storage.tenants.get(user.tenantId))!;
    const registration = await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id });
    const remaining = claims.exp - Math.floor(ctx.now() / 1000);
    if (remaining <= 0) return unauthorized();
    const issued = await ctx.tokens.issueAccessToken({
      tenant,
      application,
      user,
      ...(registration === undefined ? {} : { registration }),
      authenticationType: 'JWT_SSO',
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time : Math.floor(ctx.now() / 1000),
      ttlSeconds: remaining,
    });
    return reply.code(registration === undefined ? 202 : 200).send({ token: issued.token });
  });
}
