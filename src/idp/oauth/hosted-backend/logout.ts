/**
 * `GET /app/logout/{clientId}` (the SDK: `/app/logout/?client_id=&post_logout_redirect_uri=`; FusionAuth's
 * docs name it `redirect_uri`, both are read): deletes the hosted backend's cookies, revokes the refresh
 * token of `app.rt` when it is this application's (so a copy of it is worthless too), and goes on to
 * `/oauth2/logout`, which ends the SSO session, signs the user out of the session's other applications
 * and redirects to the URI when it is authorized (else the application's logout URL).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IdpContext } from '../../context.js';
import { loadRefreshToken } from '../../routes/jwt.js';
import { cookie } from '../../services/session.js';
import { param } from '../form.js';
import { OAUTH_ROUTE } from '../http.js';
import { clearTokenCookies, REFRESH_TOKEN } from './cookies.js';
import { asPage, hostedQuery, requireClient, type HostedRequest } from './request.js';

export function registerHostedLogout(app: FastifyInstance, ctx: IdpContext): void {
  const logout = (request: HostedRequest, reply: FastifyReply) =>
    asPage(reply, 'Sign-out error', async () => {
      const params = hostedQuery(request);
      const application = await requireClient(ctx, request, params);
      const refresh = cookie(request, REFRESH_TOKEN);
      if (refresh !== undefined) {
        const loaded = await loadRefreshToken(ctx, refresh);
        if (loaded !== undefined && loaded.record.applicationId === application.id) await ctx.storage.refreshTokens.delete(loaded.record.id);
      }
      clearTokenCookies(request, reply);
      const next = new URLSearchParams({ client_id: application.id });
      const target = param(params, 'post_logout_redirect_uri') ?? param(params, 'redirect_uri');
      if (target !== undefined) next.set('post_logout_redirect_uri', target);
      return reply.header('cache-control', 'no-store').redirect(`/oauth2/logout?${next.toString()}`, 302);
    });
  app.get('/app/logout', { config: OAUTH_ROUTE }, logout);
  app.get('/app/logout/:clientId', { config: OAUTH_ROUTE }, logout);
}
