/**
 * `/email/verify/{verificationId}` (FusionAuth's hosted path, the link of the verification email): the
 * link shows a page with one button, and the button (a POST with the CSRF token) verifies — so a mail
 * scanner that fetches links does not spend the id. Unknown, spent, expired ids (or ids for an address
 * the user no longer has) get a page saying so. Rate limited per client address.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { completeEmailVerification, userForVerificationId } from '../services/email-verification.js';
import { allowHit } from '../services/rate-limit.js';
import type { Params } from '../oauth/form.js';
import { FORM_EXPIRED, TOO_MANY, csrfToken, csrfValid, formPage, messagePage, sendForm } from './forms.js';

const COOKIE_PATH = '/email';
const TITLE = 'Verify your email address';
const INVALID = 'This verification link is not valid any more: it was already used, it expired, or a newer one was sent. Sign in to ask for a new one.';

export async function verifyEmailPage(ctx: IdpContext, request: FastifyRequest<{ Params: { verificationId: string } }>, reply: FastifyReply, params: Params): Promise<FastifyReply> {
  if (!(await allowHit(ctx, 'verifyEmail', request.ip))) return sendForm(reply, 429, messagePage(TITLE, TOO_MANY, { alert: true }));
  const id = request.params.verificationId;
  const user = await userForVerificationId(ctx, id);
  if (user === undefined) return sendForm(reply, 404, messagePage(TITLE, INVALID, { alert: true }));
  const show = (status: number, error?: string) =>
    sendForm(reply, status, formPage({ title: TITLE, intro: `Confirm that ${user.email ?? ''} is your email address.`, ...(error === undefined ? {} : { error }), action: request.url, csrf: csrfToken(request, reply, COOKIE_PATH), fields: [], button: 'Verify my email address' }));
  if (request.method !== 'POST') return show(200);
  if (!csrfValid(request, params)) return show(403, FORM_EXPIRED);
  if ((await completeEmailVerification(ctx, id)) === undefined) return sendForm(reply, 404, messagePage(TITLE, INVALID, { alert: true }));
  return sendForm(reply, 200, messagePage('Email verified', 'Thank you: your email address is verified. You can close this page.'));
}
