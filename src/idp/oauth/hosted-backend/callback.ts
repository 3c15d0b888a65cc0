/**
 * `GET /app/callback`: where `/oauth2/authorize` sends the browser back. The state must decode, name an
 * active application and one of its authorized redirect URLs, and be bound to this browser's PKCE
 * verifier (state.ts) — otherwise an error page (403 for a callback this browser did not start). The code
 * is redeemed in process (the hosted backend is the application's own confidential client), the cookies
 * are set (cookies.ts) and the browser goes to the app's redirect URI with its `state`. An error from the
 * authorize step (`login_required` after `prompt=none`...) goes on to the app's redirect URI as it came.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IdpContext } from '../../context.js';
import { refreshPolicy } from '../../services/tokens.js';
import { cookie } from '../../services/session.js';
import { findClient } from '../client-auth.js';
import { OAuthError } from '../errors.js';
import { param } from '../form.js';
import { authorizationCodeGrant } from '../grants/authorization-code.js';
import { OAUTH_ROUTE } from '../http.js';
import { isAuthorizedRedirect, withParams } from '../redirect.js';
import { CALLBACK_PATH, hostedCallbackUri } from './callback-uri.js';
import { clearVerifierCookie, PKCE_VERIFIER, setTokenCookies } from './cookies.js';
import { asPage, HostedError, hostedQuery, type HostedRequest } from './request.js';
import { boundTo, decodeState } from './state.js';

const RESTART = 'Go back to the application and sign in again.';

export function registerCallback(app: FastifyInstance, ctx: IdpContext): void {
  app.get(CALLBACK_PATH, { config: OAUTH_ROUTE }, (request: HostedRequest, reply: FastifyReply) =>
    asPage(reply, 'Sign-in error', async () => {
      const params = hostedQuery(request);
      const state = decodeState(param(params, 'state'));
      if (state === undefined) throw new HostedError(400, `The sign-in answer has no valid state. ${RESTART}`);
      const application = await findClient(ctx, state.c);
      if (application === undefined || !isAuthorizedRedirect(application, state.r)) throw new HostedError(400, `The sign-in answer names no active application or redirect URL. ${RESTART}`);
      const verifier = cookie(request, PKCE_VERIFIER);
      if (!boundTo(state, verifier)) throw new HostedError(403, `This sign-in was not started in this browser, or it expired. ${RESTART}`);
      clearVerifierCookie(request, reply);
      const error = param(params, 'error');
      if (error !== undefined) {
        const back = withParams(state.r, { error, error_reason: param(params, 'error_reason'), error_description: param(params, 'error_description'), state: state.s });
        return reply.header('cache-control', 'no-store').redirect(back, 302);
      }
      const code = param(params, 'code');
      if (code === undefined) throw new HostedError(400, `The sign-in answer has no code. ${RESTART}`);
      let body: Record<string, unknown>;
      try {
        const exchange = new Map([
          ['code', code],
          ['redirect_uri', hostedCallbackUri(request)],
          ['code_verifier', verifier!],
        ]);
        body = await authorizationCodeGrant(ctx, { application, authenticated: true, scheme: 'post' }, exchange);
      } catch (failure) {
        if (failure instanceof OAuthError) throw new HostedError(400, `${failure.description} ${RESTART}`);
        throw failure;
      }
      const tenant = await ctx.storage.tenants.get(application.tenantId);
      const refreshSeconds = tenant === undefined ? 0 : refreshPolicy(tenant, application).ttlMinutes * 60;
      setTokenCookies(request, reply, body, ctx.now(), refreshSeconds);
      return reply.header('cache-control', 'no-store').redirect(withParams(state.r, { state: state.s }), 302);
    }),
  );
}
