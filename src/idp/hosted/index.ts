/**
 * The self-service pages FusionAuth hosts, at FusionAuth's paths: `/password/forgot`,
 * `/password/change/{changePasswordId}`, `/email/verify/{verificationId}`,
 * `/registration/verify/{verificationId}`. Plain HTML forms that work
 * without JavaScript, in their own fastify scope (form bodies); every form carries a CSRF token and every
 * page is rate limited. Self-service registration (`/oauth2/register`) is part of the OAuth flow
 * (oauth/register.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { OAuthError } from '../oauth/errors.js';
import type { Params } from '../oauth/form.js';
import { acceptForms } from '../oauth/http.js';
import { changePasswordPage } from './change-password-page.js';
import { forgotPasswordPage } from './forgot-password-page.js';
import { HOSTED_ROUTE, messagePage, pageParams, sendForm } from './forms.js';
import { verifyEmailPage, verifyRegistrationPage } from './verify-email-page.js';

type Page<P> = (ctx: IdpContext, request: FastifyRequest<{ Params: P }>, reply: FastifyReply, params: Params) => Promise<FastifyReply>;

/** Reads the page's parameters and answers a malformed form with a 400 page. */
function handled<P>(ctx: IdpContext, page: Page<P>) {
  return async (request: FastifyRequest<{ Params: P }>, reply: FastifyReply) => {
    let params: Params;
    try {
      params = pageParams(request);
    } catch (error) {
      if (error instanceof OAuthError) return sendForm(reply, 400, messagePage('Bad request', error.description, { alert: true }));
      throw error;
    }
    return page(ctx, request, reply, params);
  };
}

export function registerHostedPages(app: FastifyInstance, ctx: IdpContext): void {
  void app.register(async (scope) => {
    acceptForms(scope);
    for (const method of ['GET', 'POST'] as const) {
      scope.route({ method, url: '/password/forgot', config: HOSTED_ROUTE, handler: handled(ctx, forgotPasswordPage) });
      scope.route<{ Params: { changePasswordId: string } }>({ method, url: '/password/change/:changePasswordId', config: HOSTED_ROUTE, handler: handled(ctx, changePasswordPage) });
      scope.route<{ Params: { verificationId: string } }>({ method, url: '/email/verify/:verificationId', config: HOSTED_ROUTE, handler: handled(ctx, verifyEmailPage) });
      scope.route<{ Params: { verificationId: string } }>({ method, url: '/registration/verify/:verificationId', config: HOSTED_ROUTE, handler: handled(ctx, verifyRegistrationPage) });
    }
  });
}
