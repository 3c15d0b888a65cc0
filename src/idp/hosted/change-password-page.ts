/**
 * `/password/change/{changePasswordId}` (FusionAuth's hosted path, the link of the forgot-password email):
 * a new-password form with the tenant's rules spelled out and checked with a message per broken rule, a
 * confirmation field, the CSRF token and a per-address rate limit. A valid form spends the id, sets the
 * password, verifies the address the link was mailed to (when the tenant allows) and revokes the user's
 * sessions (services/passwords.ts). An unknown, spent or expired id gets a page offering a new link.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ValidationError } from '../model/errors.js';
import { describePasswordRules, passwordProblems } from '../services/password-rules.js';
import { setPassword, userForChangePasswordId } from '../services/passwords.js';
import { allowHit } from '../services/rate-limit.js';
import { consumeUserCode } from '../services/user-codes.js';
import type { Params } from '../oauth/form.js';
import type { Look } from '../oauth/html.js';
import { FORM_EXPIRED, TOO_MANY, codeScope, csrfToken, csrfValid, formPage, messagePage, pageTenant, param, scopeLook, sendForm, withQuery, type PageTenant } from './forms.js';

const COOKIE_PATH = '/password';
const TITLE = 'Choose a new password';

function form(request: FastifyRequest, reply: FastifyReply, scope: PageTenant & { look: Look }, action: string, status: number, error?: string): FastifyReply {
  const { tenant, look } = scope;
  const html = formPage({
    title: TITLE,
    ...(error === undefined ? {} : { error }),
    action,
    csrf: csrfToken(request, reply, COOKIE_PATH),
    fields: [
      { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: describePasswordRules(tenant) },
      { name: 'passwordConfirm', label: 'Confirm the new password', type: 'password', autocomplete: 'new-password' },
    ],
    button: 'Change my password',
    look,
  });
  return sendForm(reply, status, html, look);
}

export async function changePasswordPage(ctx: IdpContext, request: FastifyRequest<{ Params: { changePasswordId: string } }>, reply: FastifyReply, params: Params): Promise<FastifyReply> {
  const posted = request.method === 'POST';
  if (!(await allowHit(ctx, 'changePassword', request.ip))) return sendForm(reply, 429, messagePage(TITLE, TOO_MANY, { alert: true }));
  const id = request.params.changePasswordId;
  const found = await userForChangePasswordId(ctx, id);
  const forgot = withQuery('/password/forgot', [...(param(params, 'client_id') === undefined ? [] : [['client_id', param(params, 'client_id')!] as const]), ...(param(params, 'tenantId') === undefined ? [] : [['tenantId', param(params, 'tenantId')!] as const])]);
  if (found === undefined || !found.user.active) {
    // the link's own client_id/tenantId (as the email carried them) pick the look of this page
    const look = await scopeLook(ctx, await pageTenant(ctx, params));
    return sendForm(reply, 404, messagePage(TITLE, 'This link is not valid any more: it was already used, it expired, or a newer one was sent. Ask for a new link.', { alert: true, links: [['Send me a new link', forgot]], look }), look);
  }
  const scope = (await codeScope(ctx, found.user.tenantId, found.applicationId))!;
  const themed = { ...scope, look: await scopeLook(ctx, scope) };
  const { tenant, look } = themed;
  const action = request.url;
  if (!posted) return form(request, reply, themed, action, 200);
  if (!csrfValid(request, params)) return form(request, reply, themed, action, 403, FORM_EXPIRED);
  const password = params.get('password') ?? '';
  if (password === '') return form(request, reply, themed, action, 400, 'Enter a new password.');
  if (password !== (params.get('passwordConfirm') ?? '')) return form(request, reply, themed, action, 400, 'The two passwords do not match.');
  const problems = passwordProblems(tenant, password, 'password');
  if (problems.length > 0) return form(request, reply, themed, action, 400, problems.map((p) => p.hint).join(' '));
  if (found.user.changePasswordId !== id && (await consumeUserCode(ctx, 'changePassword', id)) === undefined) {
    return sendForm(reply, 404, messagePage(TITLE, 'This link was just used. Ask for a new link if you still need one.', { alert: true, links: [['Send me a new link', forgot]], look }), look);
  }
  try {
    await setPassword(ctx, found.user, password, { field: 'password', ...(found.emailedTo === undefined ? {} : { emailedTo: found.emailedTo }) });
  } catch (error) {
    if (error instanceof ValidationError) return form(request, reply, themed, action, 409, 'Your account changed meanwhile. Ask for a new link and try again.');
    throw error;
  }
  return sendForm(reply, 200, messagePage('Password changed', 'Your password has been changed, and you were signed out everywhere. Sign in to your application with the new password.', { look }), look);
}
