/**
 * `GET|POST /oauth2/logout`: ends the browser's SSO session (services/sso-session.ts) and the session of
 * an id token, signs the user out of the SSO session's applications front-channel
 * (front-channel-logout.ts), and redirects. With a valid `id_token_hint` (signed by a Key Master key, or
 * HS256/384/512 with the client secret: id-token-hint.ts)
 * the refresh token of that session (its `sid`) is revoked, so the tokens of the session stop refreshing
 * and introspect as inactive. The redirect goes to `post_logout_redirect_uri` only when it is one of the
 * application's authorized redirect URLs or its `logoutURL`; otherwise to the application's `logoutURL`,
 * the tenant's `logoutURL`, or `/` — never to an unregistered address. `state` is passed along.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { clearSessionCookies } from '../services/session.js';
import { endSsoSession } from '../services/sso-session.js';
import { findClient } from './client-auth.js';
import { verifyIdTokenHint } from './id-token-hint.js';
import { OAuthError } from './errors.js';
import { redirectOnly, sendFrontChannelLogout, sessionLogoutUrls } from './front-channel-logout.js';
import { param } from './form.js';
import { errorPage, sendPage } from './html.js';
import { OAUTH_ROUTE, requestParams } from './http.js';
import { isAuthorizedRedirect, withParams } from './redirect.js';
import { hostedLook } from './theme/look.js';

export function registerLogout(app: FastifyInstance, ctx: IdpContext): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    let params;
    try {
      params = requestParams(request);
    } catch (error) {
      if (error instanceof OAuthError) return sendPage(reply, 400, errorPage('Sign-out error', error.description));
      throw error;
    }
    const hint = param(params, 'id_token_hint');
    const claims = hint === undefined ? undefined : await verifyIdTokenHint(ctx, hint, param(params, 'client_id'));
    const clientId = param(params, 'client_id') ?? (typeof claims?.aud === 'string' ? claims.aud : undefined);
    const application = await findClient(ctx, clientId);
    if (claims !== undefined && application !== undefined && claims.aud === application.id && typeof claims.sid === 'string') {
      const record = await ctx.storage.refreshTokens.get(claims.sid);
      if (record !== undefined && record.userId === claims.sub && record.applicationId === application.id) await ctx.storage.refreshTokens.delete(record.id);
    }
    await ctx.revocationEvents.loggedOut(claims, application);
    const tenant = application === undefined ? undefined : await ctx.storage.tenants.get(application.tenantId);
    const requested = param(params, 'post_logout_redirect_uri');
    const appLogout = typeof application?.oauthConfiguration.logoutURL === 'string' && application.oauthConfiguration.logoutURL !== '' ? application.oauthConfiguration.logoutURL : undefined;
    const tenantLogout = typeof tenant?.logoutURL === 'string' && tenant.logoutURL !== '' ? tenant.logoutURL : undefined;
    let target = appLogout ?? tenantLogout ?? '/';
    if (requested !== undefined && application !== undefined && (isAuthorizedRedirect(application, requested) || requested === appLogout)) target = requested;
    clearSessionCookies(reply);
    const ended = await endSsoSession(ctx, request, reply);
    const state = param(params, 'state');
    const location = target === '/' ? '/' : withParams(target, { state });
    const frames = ended === undefined || redirectOnly(application) ? [] : await sessionLogoutUrls(ctx, ended);
    if (frames.length > 0) return sendFrontChannelLogout(reply, frames, location, await hostedLook(ctx, tenant ?? (await ctx.storage.tenants.get(ended!.tenantId)), application));
    return reply.header('cache-control', 'no-store').redirect(location, 302);
  };
  app.get('/oauth2/logout', { config: OAUTH_ROUTE }, handle);
  app.post('/oauth2/logout', { config: OAUTH_ROUTE }, handle);
}
