/**
 * `POST /app/refresh/{clientId}` (the SDK: `POST /app/refresh/?client_id=`, `text/plain`, no body,
 * credentials included): the refresh token of the HttpOnly `app.rt` cookie goes through the application's
 * `refresh_token` grant (its rules: grant enabled, token of this application, rotation policy), and the
 * fresh cookies are set; 200 with an empty body. No or a dead `app.rt`: 400 with an OAuth error body (the
 * app must sign in again). A POST from an origin that the application does not authorize: 403 (cors.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IdpContext } from '../../context.js';
import { refreshPolicy } from '../../services/tokens.js';
import { cookie } from '../../services/session.js';
import { OAuthError, sendOAuthError } from '../errors.js';
import { refreshTokenGrant } from '../grants/refresh-token.js';
import { OAUTH_ROUTE } from '../http.js';
import { REFRESH_TOKEN, setTokenCookies } from './cookies.js';
import { allowOrigin, preflight } from './cors.js';
import { HostedError, hostedQuery, namedClient, type HostedRequest } from './request.js';

function badRequest(reply: FastifyReply, reason: string, description: string): FastifyReply {
  return sendOAuthError(reply, new OAuthError('invalid_request', reason, description));
}

export function registerRefresh(app: FastifyInstance, ctx: IdpContext): void {
  const refresh = async (request: HostedRequest, reply: FastifyReply) => {
    let params;
    try {
      params = hostedQuery(request);
    } catch (error) {
      if (error instanceof HostedError) return badRequest(reply, 'invalid_request', error.publicMessage);
      throw error;
    }
    const application = await namedClient(ctx, request, params);
    if (!(await allowOrigin(ctx, request, reply, application))) return reply.code(403).send();
    if (application === undefined) return badRequest(reply, 'invalid_client_id', 'The client_id is missing or does not name an active application.');
    const value = cookie(request, REFRESH_TOKEN);
    if (value === undefined) return badRequest(reply, 'missing_refresh_token', 'The request has no app.rt refresh token cookie: sign in again.');
    try {
      const body = await refreshTokenGrant(ctx, { application, authenticated: true, scheme: 'post' }, new Map([['refresh_token', value]]));
      const tenant = await ctx.storage.tenants.get(application.tenantId);
      setTokenCookies(request, reply, body, ctx.now(), tenant === undefined ? 0 : refreshPolicy(tenant, application).ttlMinutes * 60);
      return reply.code(200).header('cache-control', 'no-store').send();
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error.status === 401 ? new OAuthError('invalid_request', error.reason, error.description) : error);
      throw error;
    }
  };
  const options = async (request: HostedRequest, reply: FastifyReply) => {
    let application;
    try {
      application = await namedClient(ctx, request, hostedQuery(request));
    } catch {
      application = undefined;
    }
    return preflight(ctx, request, reply, application, 'POST');
  };
  for (const path of ['/app/refresh', '/app/refresh/:clientId']) {
    app.post(path, { config: OAUTH_ROUTE }, refresh);
    app.options(path, { config: OAUTH_ROUTE }, options);
  }
}
