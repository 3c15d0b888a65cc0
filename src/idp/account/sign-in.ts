/**
 * Signing in to the account pages: the Login API's decision on the password (lockout included), then —
 * for a user with two-factor on and no trusted device — the code, exactly as at the Login API (a
 * `twoFactorId` of purpose `account`, single-use, expiring, wrong codes counted towards the lockout, and
 * the per-address attempt cap).
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { OAUTH_ROUTE } from '../oauth/http.js';
import { param } from '../oauth/form.js';
import { sendPage } from '../oauth/html.js';
import { authenticatePassword } from '../services/login.js';
import { cookie } from '../services/session.js';
import { challengeIfNeeded, completeChallenge, pendingLogin, takeCodeAttempt, TRUST_COOKIE } from '../services/two-factor/index.js';
import { ACCOUNT_PATH, accountRequest, accountTenant, SELF, showSignIn, startAccountSession, type AccountRequest } from './common.js';
import { signInCodePage } from './pages.js';

const REFUSED = 'Invalid login credentials. After too many failed attempts, sign-in is blocked for a few minutes.';

function showCode(reply: Parameters<typeof sendPage>[0], req: AccountRequest, twoFactorId: string, status: number, error?: string) {
  const html = signInCodePage({ look: req.look, csrf: req.csrf, twoFactorId, ...(req.clientId === undefined ? {} : { clientId: req.clientId }), ...(error === undefined ? {} : { error }) });
  return sendPage(reply, status, html, SELF, [], req.look);
}

export function registerAccountSignIn(app: FastifyInstance, ctx: IdpContext): void {
  app.post(`${ACCOUNT_PATH}/sign-in`, { config: OAUTH_ROUTE }, async (request, reply) => {
    const req = await accountRequest(ctx, request, reply);
    if (req === undefined) return reply;
    const tenant = await accountTenant(ctx, req.clientId);
    if (tenant === undefined) return showSignIn(reply, req, 400, 'Open this page from your application (with its client_id).');
    const loginId = param(req.params, 'loginId');
    const password = param(req.params, 'password');
    if (loginId === undefined || password === undefined) return showSignIn(reply, req, 400, 'Enter your email or username and your password.', loginId);
    const outcome = await authenticatePassword(ctx, tenant, undefined, loginId, password);
    if (!('user' in outcome)) return showSignIn(reply, req, 400, outcome.status === 410 ? 'Your account has expired.' : REFUSED, loginId);
    if (outcome.status === 203) return showSignIn(reply, req, 400, 'You must change your password before you can sign in.', loginId);
    const trustId = cookie(request, TRUST_COOKIE);
    const challenge = await challengeIfNeeded(ctx, { tenant, user: outcome.user, purpose: 'account', ...(trustId === undefined ? {} : { trustId }) });
    if (challenge !== undefined) return showCode(reply, req, challenge.twoFactorId, 200);
    return startAccountSession(ctx, request, reply, tenant, outcome.user, req.clientId);
  });

  app.post(`${ACCOUNT_PATH}/sign-in/two-factor`, { config: OAUTH_ROUTE }, async (request, reply) => {
    const req = await accountRequest(ctx, request, reply);
    if (req === undefined) return reply;
    const retryAfter = takeCodeAttempt(ctx, request.ip);
    if (retryAfter !== undefined) {
      void reply.header('retry-after', String(retryAfter));
      return showSignIn(reply, req, 429, 'Too many attempts from this device. Wait a minute, then try again.');
    }
    const twoFactorId = param(req.params, 'twoFactorId') ?? '';
    const result = await completeChallenge(ctx, twoFactorId, 'account', param(req.params, 'code') ?? '');
    if (result.status === 200) return startAccountSession(ctx, request, reply, result.tenant, result.user, req.clientId);
    if (result.status === 421 && (await pendingLogin(ctx, twoFactorId, 'account')) !== undefined) {
      return showCode(reply, req, twoFactorId, 400, 'That code is not valid or was already used. Enter a current code from your authenticator app, or a recovery code.');
    }
    const message = result.status === 423 ? 'Too many wrong codes: sign-in is blocked for a few minutes.' : 'This sign-in expired or had too many wrong codes. Sign in again.';
    return showSignIn(reply, req, 400, message);
  });
}
