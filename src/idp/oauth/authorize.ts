/**
 * `GET /oauth2/authorize` shows the hosted login page; the page posts to `POST /oauth2/authorize`, which
 * checks the CSRF token, re-validates the whole authorization request, runs the Login API's decision
 * (password, lockout) and redirects to the registered `redirect_uri` with `code`, `locale`, `state` and
 * FusionAuth's `userState`. A live SSO session (sso.ts) answers `GET` with a code and no form, unless
 * `prompt=login` or `max_age` asks for the form; `prompt=none` without one answers `login_required`. A
 * sign-in on the form starts a session ("Keep me signed in": `rememberDevice=true`).
 *
 * Until the client and its redirect URI are known to match exactly, every problem is an error page (never
 * a redirect); after that, errors go back to the redirect URI as `error`, `error_reason`,
 * `error_description` and `state`. Only `response_type=code` with the query response mode is served.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import type { Application, Tenant } from '../model/types.js';
import { authenticatePassword } from '../services/login.js';
import { findClient } from './client-auth.js';
import { redirectWithCode, type AuthorizedRequest } from './code-redirect.js';
import { challengeIfNeeded } from '../services/two-factor/index.js';
import { showTwoFactorPage, twoFactorChallengeRequest } from './two-factor.js';
import { csrfValid, issueCsrfToken } from './csrf.js';
import { OAuthError, oauthError } from './errors.js';
import { param, type Params } from './form.js';
import { grantEnabled } from './grants/enabled.js';
import { isHostedCallback } from './hosted-backend/index.js';
import { errorPage, sendPage, type Look } from './html.js';
import { OAUTH_ROUTE, requestParams } from './http.js';
import { loginPage } from './login-page.js';
import { selfServiceLinks } from './register.js';
import { challengeRequired, checkChallenge } from './pkce.js';
import { readPrompt } from './prompt.js';
import { authorizedRedirects, isAuthorizedRedirect, withParams } from './redirect.js';
import { grantUserScopes } from './scopes.js';
import { rememberSignIn, ssoSignIn, type SignedIn } from './sso.js';
import { hostedLook } from './theme/look.js';

export const POSTED_BACK = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'response_mode'] as const;

/** A problem shown as a page because there is no trusted place to redirect to. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
  ) {
    super(title);
  }
}

export interface Trusted {
  tenant: Tenant;
  application: Application;
  redirectUri: string;
  state: string | undefined;
  look: Look;
}

export interface AuthorizeRequest extends Trusted {
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
}

export async function trustedClient(ctx: IdpContext, request: FastifyRequest, params: Params): Promise<Trusted> {
  const application = await findClient(ctx, param(params, 'client_id'));
  if (application === undefined) throw new PageError(400, 'The client_id is missing or does not name an active application.');
  const redirectUri = param(params, 'redirect_uri');
  if (redirectUri === undefined || !(isAuthorizedRedirect(application, redirectUri) || isHostedCallback(request, redirectUri))) {
    throw new PageError(400, 'The redirect_uri is missing or is not one of the authorized redirect URLs of this application.');
  }
  const tenant = await ctx.storage.tenants.get(application.tenantId);
  if (tenant === undefined) throw new PageError(400, 'The application has no tenant.');
  return { tenant, application, redirectUri, state: param(params, 'state'), look: await hostedLook(ctx, tenant, application) };
}

export function validate(trusted: Trusted, params: Params): AuthorizeRequest {
  const responseType = param(params, 'response_type');
  if (responseType === undefined) oauthError('invalid_request', 'missing_response_type', 'The request is missing the required parameter [response_type].');
  if (responseType !== 'code') oauthError('unsupported_response_type', 'invalid_response_type', 'Only response_type=code is supported.');
  const mode = param(params, 'response_mode');
  if (mode !== undefined && mode !== 'query') oauthError('invalid_request', 'invalid_response_mode', 'Only response_mode=query is supported.');
  if (!grantEnabled(trusted.application, 'authorization_code')) oauthError('unauthorized_client', 'grant_type_disabled', 'The authorization_code grant is not enabled for this application.');
  const scopes = grantUserScopes(trusted.application, param(params, 'scope'));
  const codeChallenge = checkChallenge(param(params, 'code_challenge'), param(params, 'code_challenge_method'));
  if (codeChallenge === undefined && challengeRequired(trusted.application)) oauthError('invalid_request', 'missing_code_challenge', 'The application requires PKCE: send code_challenge and code_challenge_method=S256.');
  const nonce = param(params, 'nonce');
  return { ...trusted, scopes, ...(nonce === undefined ? {} : { nonce }), ...(codeChallenge === undefined ? {} : { codeChallenge }) };
}

function redirectError(reply: FastifyReply, trusted: Trusted, error: OAuthError): FastifyReply {
  return reply.header('cache-control', 'no-store').redirect(
    withParams(trusted.redirectUri, { error: error.error, error_reason: error.reason, error_description: error.description, state: trusted.state }),
    302,
  );
}

export function origin(uri: string): string {
  return new URL(uri).origin;
}

/**
 * Where the form's answer may redirect (CSP form-action covers the redirects after a form post): the
 * client's redirect URI; for the hosted backend's callback, also where the callback sends the browser on.
 */
/** Where the page's form may lead (CSP form-action): the redirect's origin, or every app origin behind the hosted callback. */
export function formTargets(request: FastifyRequest, req: AuthorizeRequest): string[] {
  return formTargetsFor(request, req.application, req.redirectUri);
}

export function formTargetsFor(request: FastifyRequest, application: Application, redirectUri: string): string[] {
  if (!isHostedCallback(request, redirectUri)) return [origin(redirectUri)];
  return [...new Set(authorizedRedirects(application).flatMap((u) => (URL.canParse(u) ? [origin(u)] : [])))];
}

function showLogin(request: FastifyRequest, reply: FastifyReply, req: AuthorizeRequest, params: Params, status: number, error?: string, loginId?: string): FastifyReply {
  const hidden = POSTED_BACK.flatMap((name) => {
    const value = param(params, name);
    return value === undefined ? [] : [[name, value] as const];
  });
  const csrf = issueCsrfToken(request, reply);
  const html = loginPage({
    applicationName: req.application.name,
    hidden,
    csrf,
    links: selfServiceLinks(req.tenant, req.application, hidden),
    ...(error === undefined ? {} : { error }),
    ...(loginId === undefined ? {} : { loginId }),
    rememberDevice: param(params, 'rememberDevice') === 'true',
    look: req.look,
  });
  return sendPage(reply, status, html, formTargets(request, req), [], req.look);
}

/**
 * A locked account reads exactly like wrong credentials (same message, same status), so the page does not
 * tell whether an account exists; the message says that repeated failures block sign-in for a while.
 */
const REFUSED = 'Invalid login credentials. After too many failed attempts, sign-in is blocked for a few minutes.';
const MESSAGES: Record<number, string> = {
  404: REFUSED,
  423: REFUSED,
  410: 'Your account has expired.',
  203: 'You must change your password before you can sign in.',
};

/** What the code and the redirect carry for this authorization request. */
function authorizedFor(req: AuthorizeRequest, registered: boolean, keepSignedIn: boolean): AuthorizedRequest {
  return {
    redirectUri: req.redirectUri,
    scope: req.scopes.join(' '),
    userState: registered ? 'Authenticated' : 'AuthenticatedNotRegistered',
    ...(req.state === undefined ? {} : { state: req.state }),
    ...(req.nonce === undefined ? {} : { nonce: req.nonce }),
    ...(req.codeChallenge === undefined ? {} : { codeChallenge: req.codeChallenge }),
    ...(keepSignedIn ? { rememberDevice: true } : {}),
  };
}


export function registerAuthorize(app: FastifyInstance, ctx: IdpContext): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    let trusted: Trusted | undefined;
    try {
      const params = requestParams(request);
      const posted = request.method === 'POST';
      if (posted && !csrfValid(request, params)) throw new PageError(403, 'The sign-in form expired or was not sent by this site. Go back to the application and start again.');
      trusted = await trustedClient(ctx, request, params);
      const req = validate(trusted, params);
      if (!posted) {
        const prompt = readPrompt(params);
        const sso = await ssoSignIn(ctx, request, reply, req.tenant, req.application, prompt);
        if (sso !== undefined) return redirectWithCode(ctx, reply, req.tenant, req.application.id, sso.user.id, authorizedFor(req, sso.registered, false), sso.authTime);
        if (prompt.none) oauthError('login_required', 'authentication_required', 'The user must sign in: there is no live sign-in session.');
        return showLogin(request, reply, req, params, 200, undefined, param(params, 'login_hint'));
      }

      const loginId = param(params, 'loginId');
      const password = param(params, 'password');
      if (loginId === undefined || password === undefined) return showLogin(request, reply, req, params, 400, 'Enter your email or username and your password.', loginId);
      const outcome = await authenticatePassword(ctx, req.tenant, req.application, loginId, password);
      if (outcome.status !== 200 && outcome.status !== 202) return showLogin(request, reply, req, params, 400, MESSAGES[outcome.status], loginId);
      if (outcome.status === 202 && req.application.oauthConfiguration.requireRegistration === true) {
        return showLogin(request, reply, req, params, 403, 'You are not registered for this application.', loginId);
      }
      const signedIn: SignedIn = { user: outcome.user, authTime: Math.floor(ctx.now() / 1000), registered: outcome.status === 200 };
      const keepSignedIn = param(params, 'rememberDevice') === 'true';
      const authorized = authorizedFor(req, outcome.status === 200, keepSignedIn);
      // a second factor first: the SSO session starts only once the sign-in is complete (two-factor.ts)
      const challenge = await challengeIfNeeded(ctx, twoFactorChallengeRequest(request, req.tenant, req.application, outcome.user, authorized));
      if (challenge !== undefined) return showTwoFactorPage(ctx, request, reply, { tenant: req.tenant, application: req.application, applicationName: req.application.name, redirectUri: req.redirectUri, twoFactorId: challenge.twoFactorId }, 200);
      await rememberSignIn(ctx, request, reply, req.tenant, req.application, signedIn, keepSignedIn);
      return redirectWithCode(ctx, reply, req.tenant, req.application.id, signedIn.user.id, authorized, signedIn.authTime);
    } catch (error) {
      if (error instanceof PageError) return sendPage(reply, error.status, errorPage('Sign-in error', error.title));
      if (error instanceof OAuthError) {
        if (trusted !== undefined) return redirectError(reply, trusted, error);
        return sendPage(reply, 400, errorPage('Sign-in error', error.description));
      }
      throw error;
    }
  };
  app.get('/oauth2/authorize', { config: OAUTH_ROUTE }, handle);
  app.post('/oauth2/authorize', { config: OAUTH_ROUTE }, handle);
}
