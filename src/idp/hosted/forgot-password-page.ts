/**
 * `/password/forgot` (FusionAuth's hosted path): a form asking for an email or username. Whatever was
 * entered — an account, no account, a deactivated one, one without an address — the answer is the same
 * page ("if an account exists, we sent a link"), so the page does not tell who has an account; only a
 * tenant that cannot send reset emails at all says so (it says nothing about accounts). Rate limited per
 * client address (a 429 page) and per login id (silently: still the same answer, no email).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { codeTtlSeconds } from '../services/user-codes.js';
import { forgotPassword, forgotPasswordEmailConfigured } from '../services/forgot-password.js';
import { allowHit } from '../services/rate-limit.js';
import type { Look } from '../oauth/html.js';
import { FORM_EXPIRED, TOO_MANY, carried, csrfToken, csrfValid, formPage, messagePage, pageTenant, param, scopeLook, sendForm, type PageTenant } from './forms.js';
import type { Params } from '../oauth/form.js';

const PATH = '/password/forgot';
const COOKIE_PATH = '/password';

function form(request: FastifyRequest, reply: FastifyReply, scope: PageTenant, look: Look, status: number, error?: string, loginId?: string): FastifyReply {
  const html = formPage({
    title: 'Forgot your password?',
    intro: 'Enter your email or username. We will email you a link to choose a new password.',
    ...(error === undefined ? {} : { error }),
    action: PATH,
    csrf: csrfToken(request, reply, COOKIE_PATH),
    hidden: carried(scope),
    fields: [{ name: 'loginId', label: 'Email or username', type: 'email', autocomplete: 'username', ...(loginId === undefined ? {} : { value: loginId }) }],
    button: 'Send me a link',
    look,
  });
  return sendForm(reply, status, html, look);
}

export async function forgotPasswordPage(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, params: Params): Promise<FastifyReply> {
  const scope = await pageTenant(ctx, params);
  if (scope === undefined) return sendForm(reply, 404, messagePage('Forgot your password?', 'No tenant is set up yet.', { alert: true }));
  const look = await scopeLook(ctx, scope);
  if (!forgotPasswordEmailConfigured(scope.tenant)) {
    return sendForm(reply, 403, messagePage('Forgot your password?', 'Password reset by email is not available here. Ask your administrator to reset your password.', { alert: true, look }), look);
  }
  if (request.method !== 'POST') return form(request, reply, scope, look, 200);
  if (!csrfValid(request, params)) return form(request, reply, scope, look, 403, FORM_EXPIRED);
  const loginId = param(params, 'loginId')?.trim();
  if (loginId === undefined || loginId === '' || loginId.length > 256) return form(request, reply, scope, look, 400, 'Enter your email or username.', loginId);
  if (!(await allowHit(ctx, 'forgotPassword', request.ip))) return sendForm(reply, 429, messagePage('Forgot your password?', TOO_MANY, { alert: true, look }), look);
  // per login id: over the limit, nothing is sent, and the answer stays the same
  if (await allowHit(ctx, 'forgotPassword', undefined, loginId)) {
    await forgotPassword(ctx, { tenant: scope.tenant, ...(scope.application === undefined ? {} : { application: scope.application }), loginId, send: true });
  }
  const minutes = Math.round(codeTtlSeconds(scope.tenant, 'changePassword') / 60);
  return sendForm(
    reply,
    200,
    messagePage('Check your email', `If an account exists for ${loginId}, we sent it a link to choose a new password. The link works once, for ${minutes} minutes. Nothing arrived? Check your spam folder, or ask again in a few minutes.`, { look }),
    look,
  );
}
