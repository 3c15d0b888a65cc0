/**
 * `/email/verify/{verificationId}` and `/registration/verify/{verificationId}` (FusionAuth's hosted
 * paths, the links of the verification emails): the link shows a page with one button, and the button (a
 * POST with the CSRF token) verifies — so a mail scanner that fetches links does not spend the id.
 * Unknown, spent or expired ids (or an email id for an address the user no longer has) get a page saying
 * so. Rate limited per client address.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { completeEmailVerification, userForVerificationId } from '../services/email-verification.js';
import { allowHit } from '../services/rate-limit.js';
import { completeRegistrationVerification, registrationForVerificationId } from '../services/registration-verification.js';
import type { Params } from '../oauth/form.js';
import { findUserCode } from '../services/user-codes.js';
import type { UserCodeKind } from '../model/types.js';
import { FORM_EXPIRED, TOO_MANY, codeScope, csrfToken, csrfValid, formPage, messagePage, pageTenant, scopeLook, sendForm } from './forms.js';

interface Verification {
  kind: UserCodeKind;
  title: string;
  cookiePath: string;
  button: string;
  done: [string, string];
  /** What the page asks to confirm, or undefined when the id is not live. */
  find(ctx: IdpContext, id: string): Promise<string | undefined>;
  /** Uses the id; false when it was not live any more. */
  complete(ctx: IdpContext, id: string): Promise<boolean>;
}

const INVALID = 'This verification link is not valid any more: it was already used, it expired, or a newer one was sent. Sign in to ask for a new one.';

function verificationPage(kind: Verification) {
  return async (ctx: IdpContext, request: FastifyRequest<{ Params: { verificationId: string } }>, reply: FastifyReply, params: Params): Promise<FastifyReply> => {
    if (!(await allowHit(ctx, 'verifyLink', request.ip))) return sendForm(reply, 429, messagePage(kind.title, TOO_MANY, { alert: true }));
    const id = request.params.verificationId;
    // the look: the stored id's tenant and application, else (a dead link) the link's tenantId/client_id
    const code = await findUserCode(ctx, kind.kind, id);
    const look = await scopeLook(ctx, code === undefined ? await pageTenant(ctx, params) : await codeScope(ctx, code.tenantId, code.applicationId));
    const intro = await kind.find(ctx, id);
    if (intro === undefined) return sendForm(reply, 404, messagePage(kind.title, INVALID, { alert: true, look }), look);
    const show = (status: number, error?: string) =>
      sendForm(reply, status, formPage({ title: kind.title, intro, ...(error === undefined ? {} : { error }), action: request.url, csrf: csrfToken(request, reply, kind.cookiePath), fields: [], button: kind.button, look }), look);
    if (request.method !== 'POST') return show(200);
    if (!csrfValid(request, params)) return show(403, FORM_EXPIRED);
    if (!(await kind.complete(ctx, id))) return sendForm(reply, 404, messagePage(kind.title, INVALID, { alert: true, look }), look);
    return sendForm(reply, 200, messagePage(kind.done[0], kind.done[1], { look }), look);
  };
}

export const verifyEmailPage = verificationPage({
  kind: 'emailVerification',
  title: 'Verify your email address',
  cookiePath: '/email',
  button: 'Verify my email address',
  done: ['Email verified', 'Thank you: your email address is verified. You can close this page.'],
  async find(ctx, id) {
    const user = await userForVerificationId(ctx, id);
    return user === undefined ? undefined : `Confirm that ${user.email ?? ''} is your email address.`;
  },
  complete: async (ctx, id) => (await completeEmailVerification(ctx, id)) !== undefined,
});

export const verifyRegistrationPage = verificationPage({
  kind: 'registrationVerification',
  title: 'Confirm your registration',
  cookiePath: '/registration',
  button: 'Confirm my registration',
  done: ['Registration confirmed', 'Thank you: your registration is confirmed. You can close this page.'],
  async find(ctx, id) {
    const found = await registrationForVerificationId(ctx, id);
    if (found === undefined) return undefined;
    const application = await ctx.storage.applications.get(found.registration.applicationId);
    return `Confirm the registration of ${found.user.email ?? found.user.username ?? 'your account'} for ${application?.name ?? 'the application'}.`;
  },
  complete: async (ctx, id) => (await completeRegistrationVerification(ctx, id)) !== undefined,
});
