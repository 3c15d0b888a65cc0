/**
 * `GET /app/login/{clientId}` and `GET /app/register/{clientId}` (also `/app/login/?client_id=`, the SDK's
 * form): start Authorization Code + PKCE against this server's own `/oauth2/authorize` (or
 * `/oauth2/register` when the application enables self-service registration; otherwise registration
 * falls back to sign-in, as FusionAuth does), with `/app/callback` as the redirect URI.
 *
 * `redirect_uri` (where the browser ends) must be one of the application's authorized redirect URLs
 * (default: the first); `state` is echoed at the end; `scope` defaults to `openid offline_access`; other
 * query parameters (`prompt`, `login_hint`, `max_age`... the SDK's `authParams`) go on to the authorize
 * request. The PKCE verifier waits in the HttpOnly `app.pkce_v` cookie.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IdpContext } from '../../context.js';
import { param } from '../form.js';
import { OAUTH_ROUTE } from '../http.js';
import { authorizedRedirects, isAuthorizedRedirect } from '../redirect.js';
import { hostedCallbackUri } from './callback-uri.js';
import { setVerifierCookie } from './cookies.js';
import { asPage, HostedError, hostedQuery, requireClient, type HostedRequest } from './request.js';
import { encodeState, newVerifier } from './state.js';

const DEFAULT_SCOPE = 'openid offline_access';
/** Set by the hosted backend itself; never taken from the app's query. */
const OWN = new Set(['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method']);

export function registerStart(app: FastifyInstance, ctx: IdpContext): void {
  const start = (kind: 'login' | 'register') => (request: HostedRequest, reply: FastifyReply) =>
    asPage(reply, 'Sign-in error', async () => {
      const params = hostedQuery(request);
      const application = await requireClient(ctx, request, params);
      const redirectUri = param(params, 'redirect_uri') ?? authorizedRedirects(application)[0];
      if (redirectUri === undefined || !isAuthorizedRedirect(application, redirectUri)) {
        throw new HostedError(400, 'The redirect_uri is missing or is not one of the authorized redirect URLs of this application.');
      }
      const { verifier, challenge } = newVerifier();
      const appState = param(params, 'state');
      const query = new URLSearchParams({
        client_id: application.id,
        redirect_uri: hostedCallbackUri(request),
        response_type: 'code',
        scope: param(params, 'scope') ?? DEFAULT_SCOPE,
        state: encodeState({ c: application.id, r: redirectUri, b: challenge, ...(appState === undefined ? {} : { s: appState }) }),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      for (const [name, value] of params) if (!OWN.has(name) && value !== '') query.append(name, value);
      const registration = application.registrationConfiguration as { enabled?: unknown } | undefined;
      const target = kind === 'register' && registration?.enabled === true ? '/oauth2/register' : '/oauth2/authorize';
      setVerifierCookie(request, reply, verifier);
      return reply.header('cache-control', 'no-store').redirect(`${target}?${query.toString()}`, 302);
    });
  for (const kind of ['login', 'register'] as const) {
    app.get(`/app/${kind}`, { config: OAUTH_ROUTE }, start(kind));
    app.get(`/app/${kind}/:clientId`, { config: OAUTH_ROUTE }, start(kind));
  }
}
