/**
 * The hosted sign-in's second factor. `POST /oauth2/authorize` with a right password shows the code page
 * instead of redirecting when the user has two-factor on (and the device holds no valid
 * `fusionauth.trust` cookie); the page posts to `POST /oauth2/two-factor` with the CSRF token, the
 * `twoFactorId`, the code and `trustComputer`. A right code ends like a password-only sign-in (a code and a
 * redirect to the client), setting the trust cookie when asked; "Send a code by email" posts to
 * `POST /oauth2/two-factor/send` (CSRF token, `twoFactorId`, `methodId`) and shows the page again; a wrong one shows the page again, until
 * the `twoFactorId` is exhausted or the user locked (challenge.ts); attempts per address are capped.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import type { Application, Tenant, TwoFactorLogin, User } from '../model/types.js';
import { cookie } from '../services/session.js';
import { appendCookie, completeChallenge, emailMethodTemplate, issueTrust, methodsOf, oneTimeCodeTtlSeconds, pendingLogin, sendLoginCode, takeCodeAttempt, TRUST_COOKIE, trustCookie, trustTtlSeconds, type ChallengeRequest } from '../services/two-factor/index.js';
import { redirectWithCode, type AuthorizedRequest } from './code-redirect.js';
import { rememberSignIn } from './sso.js';
import { formTargetsFor } from './authorize.js';
import { hostedLook } from './theme/look.js';
import { csrfValid, issueCsrfToken } from './csrf.js';
import { param, type Params } from './form.js';
import { OAuthError } from './errors.js';
import { errorPage, sendPage } from './html.js';
import { OAUTH_ROUTE, requestParams } from './http.js';
import { maskEmail, trustPeriod, twoFactorPage } from './two-factor-page.js';

const EXPIRED = 'This sign-in has expired or was already completed. Go back to the application and sign in again.';
const WRONG = 'That code is not valid or was already used. Enter a current code from your authenticator app or your email, or a recovery code.';
const EXHAUSTED = 'That code is not valid, and this sign-in has had too many wrong codes. Go back to the application and sign in again.';
const LOCKED = 'Too many wrong codes: sign-in is blocked for a few minutes.';

export function twoFactorChallengeRequest(request: FastifyRequest, tenant: Tenant, application: Application, user: User, oauth: AuthorizedRequest): ChallengeRequest {
  const trustId = cookie(request, TRUST_COOKIE);
  return { tenant, application, user, purpose: 'oauth', oauth, ...(trustId === undefined ? {} : { trustId }) };
}

export interface TwoFactorPageContext {
  tenant: Tenant;
  application: Application;
  applicationName: string;
  redirectUri: string;
  twoFactorId: string;
  error?: string;
  notice?: string;
}

/** The methods of the user of a pending login, as the page offers them. */
async function pageMethods(ctx: IdpContext, tenant: Tenant, twoFactorId: string): Promise<{ emailMethods: { id: string; to: string }[]; authenticator: boolean }> {
  const pending = await pendingLogin(ctx, twoFactorId, 'oauth');
  const user = pending === undefined ? undefined : await ctx.storage.users.get(pending.userId);
  const methods = user === undefined ? [] : methodsOf(user);
  const allowed = user !== undefined && emailMethodTemplate(tenant) !== undefined;
  return {
    emailMethods: allowed ? methods.filter((m) => m.method === 'email' && m.email !== undefined).map((m) => ({ id: m.id, to: maskEmail(m.email!) })) : [],
    authenticator: methods.some((m) => m.method === 'authenticator'),
  };
}

export async function showTwoFactorPage(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, model: TwoFactorPageContext, status: number): Promise<FastifyReply> {
  const csrf = issueCsrfToken(request, reply);
  const look = await hostedLook(ctx, model.tenant, model.application);
  const html = twoFactorPage({
    applicationName: model.applicationName,
    twoFactorId: model.twoFactorId,
    csrf,
    trustPeriod: trustPeriod(trustTtlSeconds(model.tenant)),
    ...(await pageMethods(ctx, model.tenant, model.twoFactorId)),
    ...(model.error === undefined ? {} : { error: model.error }),
    ...(model.notice === undefined ? {} : { notice: model.notice }),
  }, look);
  // the form posts here, and its answer redirects to the client (through the hosted callback, to the app): all allowed form targets
  return sendPage(reply, status, html, formTargetsFor(request, model.application, model.redirectUri), [], look);
}

interface OpenedForm {
  params: Params;
  pending: TwoFactorLogin & { oauth: NonNullable<TwoFactorLogin['oauth']> };
  tenant: Tenant;
  application: Application;
  page: TwoFactorPageContext;
}

/** What both forms of the page check first: the CSRF token, the per-address cap and the pending sign-in. */
async function openForm(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply): Promise<OpenedForm | FastifyReply> {
  let params: Params;
  try {
    params = requestParams(request);
  } catch (error) {
    if (error instanceof OAuthError) return sendPage(reply, 400, errorPage('Sign-in error', error.description));
    throw error;
  }
  if (!csrfValid(request, params)) return sendPage(reply, 403, errorPage('Sign-in error', 'The form expired or was not sent by this site. Go back to the application and start again.'));
  const retryAfter = takeCodeAttempt(ctx, request.ip);
  if (retryAfter !== undefined) {
    void reply.header('retry-after', String(retryAfter));
    return sendPage(reply, 429, errorPage('Sign-in error', 'Too many attempts from this device. Wait a minute, then try again.'));
  }
  const twoFactorId = param(params, 'twoFactorId') ?? '';
  const pending = await pendingLogin(ctx, twoFactorId, 'oauth');
  const tenant = pending === undefined ? undefined : await ctx.storage.tenants.get(pending.tenantId);
  const application = pending?.applicationId === undefined ? undefined : await ctx.storage.applications.get(pending.applicationId);
  if (pending?.oauth === undefined || tenant === undefined || application === undefined) return sendPage(reply, 400, errorPage('Sign-in error', EXPIRED));
  const page = { tenant, application, applicationName: application.name, redirectUri: pending.oauth.redirectUri, twoFactorId };
  return { params, pending: pending as OpenedForm['pending'], tenant, application, page };
}

export function registerTwoFactorPage(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/oauth2/two-factor', { config: OAUTH_ROUTE }, async (request, reply) => {
    const opened = await openForm(ctx, request, reply);
    if (!('page' in opened)) return opened;
    const { params, pending, tenant, application, page } = opened;
    const twoFactorId = page.twoFactorId;
    const code = param(params, 'code');
    if (code === undefined) return showTwoFactorPage(ctx, request, reply, { ...page, error: 'Enter the code from your authenticator app or your email, or a recovery code.' }, 400);
    const result = await completeChallenge(ctx, twoFactorId, 'oauth', code);
    if (result.status !== 200) {
      if (result.status === 423) return sendPage(reply, 400, errorPage('Sign-in error', LOCKED));
      if (result.status === 404) return sendPage(reply, 400, errorPage('Sign-in error', EXPIRED));
      if ((await pendingLogin(ctx, twoFactorId, 'oauth')) === undefined) return sendPage(reply, 400, errorPage('Sign-in error', EXHAUSTED));
      return showTwoFactorPage(ctx, request, reply, { ...page, error: WRONG }, 400);
    }
    if (param(params, 'trustComputer') === 'true') {
      const trust = await issueTrust(ctx, tenant, result.user.id);
      appendCookie(reply, trustCookie(request, trust.value, trust.maxAgeSeconds));
    }
    // the sign-in is complete only now: the SSO session starts here, not after the password
    const authTime = Math.floor(ctx.now() / 1000);
    await rememberSignIn(ctx, request, reply, tenant, application, { user: result.user, authTime, registered: pending.oauth.userState === 'Authenticated' }, pending.oauth.rememberDevice === true);
    return redirectWithCode(ctx, reply, tenant, application.id, result.user.id, pending.oauth, authTime);
  });

  // "Send a code by email": a new code for the pending sign-in, then the page again with a notice
  app.post('/oauth2/two-factor/send', { config: OAUTH_ROUTE }, async (request, reply) => {
    const opened = await openForm(ctx, request, reply);
    if (!('page' in opened)) return opened;
    const sent = await sendLoginCode(ctx, opened.page.twoFactorId, 'oauth', param(opened.params, 'methodId') ?? '');
    if (sent.status === 404) return sendPage(reply, 400, errorPage('Sign-in error', EXPIRED));
    if (sent.status === 429) return showTwoFactorPage(ctx, request, reply, { ...opened.page, error: `Too many codes sent. Wait ${sent.retryAfter} seconds, then ask for a new one.` }, 429);
    if (sent.status !== 200) return showTwoFactorPage(ctx, request, reply, { ...opened.page, error: 'Codes cannot be sent by email for this account.' }, 400);
    const minutes = Math.max(1, Math.round(oneTimeCodeTtlSeconds(opened.tenant) / 60));
    return showTwoFactorPage(ctx, request, reply, { ...opened.page, notice: `We sent a code to ${maskEmail(sent.email)}. It works once, within ${minutes} minute${minutes === 1 ? '' : 's'}.` }, 200);
  });
}
