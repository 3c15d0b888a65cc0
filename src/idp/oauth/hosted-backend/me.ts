/**
 * `GET /app/me` (the SDK: `GET /app/me/`, credentials included): the `/oauth2/userinfo` answer for the
 * access token of the HttpOnly `app.at` cookie; 401 without a valid one (the app refreshes or signs in
 * again). CORS for the origins of the token's application (cors.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../../context.js';
import { cookie } from '../../services/session.js';
import { findClient } from '../client-auth.js';
import { OAUTH_ROUTE } from '../http.js';
import { sendUserInfo, userInfo } from '../userinfo.js';
import { ACCESS_TOKEN } from './cookies.js';
import { allowOrigin, preflight } from './cors.js';

export function registerMe(app: FastifyInstance, ctx: IdpContext): void {
  app.get('/app/me', { config: OAUTH_ROUTE }, async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await userInfo(ctx, cookie(request, ACCESS_TOKEN) ?? '');
    const application = 'applicationId' in result ? await findClient(ctx, result.applicationId) : undefined;
    if (!(await allowOrigin(ctx, request, reply, application))) return reply.code(403).send();
    return sendUserInfo(reply, result);
  });
  app.options('/app/me', { config: OAUTH_ROUTE }, (request, reply) => preflight(ctx, request, reply, undefined, 'GET'));
}
