/**
 * Sign-in and sign-out. The sign-in form has its own pre-session (for its CSRF token); a successful
 * sign-in discards it and starts a new session with a new id. Only a user registered to the console's
 * application with the `admin` role gets in; the password check is the Login API's own
 * (`authenticatePassword`: argon2id, the tenant's lockout), and every refusal reads the same.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticatePassword } from '../services/login.js';
import { ADMIN_APPLICATION_ID, ADMIN_ROLE } from './admin-application.js';
import { csrfField, input } from './components.js';
import { html } from './html.js';
import { page } from './layout.js';
import { crossOrigin, currentSession, field, forbidden, type Form, type Scope } from './router.js';
import { clearedCookie, csrfMatches, sessionCookie, type AdminSession } from './session.js';
import { secureCookie } from '../http/secure-cookies.js';

const REFUSED = 'Sign-in failed: the email or password is wrong, or this account is not an administrator of this console, or it is locked.';

/** A local console path to return to after signing in; anything else is the dashboard. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/admin(\/[^\\]*)?$/.test(value) && !value.startsWith('//') && !value.includes('//') ? value : '/admin/';
}

const secure = (request: FastifyRequest): boolean => secureCookie(request);

function signInPage(session: AdminSession, next: string, loginId: string, message?: string, status = 200) {
  return {
    status,
    body: page({
      title: 'Sign in',
      section: 'home',
      body: html`<div class="card narrow">
<h1>Sign in to the Gatehouse admin console</h1>
${message === undefined ? '' : html`<div class="errors" role="alert" tabindex="-1"><p>${message}</p></div>`}
<form method="post" action="/admin/login">
${csrfField(session.csrf)}
<input type="hidden" name="next" value="${next}">
${input({ name: 'loginId', label: 'Email', type: 'email', value: loginId, required: true, autocomplete: 'username', id: 'loginId' })}
${input({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password', id: 'password' })}
<button type="submit">Sign in</button>
</form></div>`,
    }).value,
  };
}

function send(reply: FastifyReply, result: { status: number; body: string }): FastifyReply {
  return reply.code(result.status).type('text/html; charset=utf-8').send(result.body);
}

export function registerSignIn(app: FastifyInstance, scope: Scope): void {
  const { ctx, sessions } = scope;

  app.get('/login', { config: { auth: 'none' } }, async (request, reply) => {
    let session = await currentSession(scope, request);
    if (session?.userId !== undefined) return reply.code(303).header('location', '/admin/').send();
    if (session === undefined) {
      session = await sessions.create();
      void reply.header('set-cookie', sessionCookie(session.id, secure(request)));
    }
    const next = safeNext((request.query as Record<string, unknown>).next);
    return send(reply, signInPage(session, next, ''));
  });

  app.post('/login', { config: { auth: 'none' } }, async (request, reply) => {
    const pre = await currentSession(scope, request);
    const form = (request.body ?? {}) as Form;
    if (pre === undefined || !csrfMatches(pre, form._csrf) || crossOrigin(request)) {
      return forbidden(reply, 'The sign-in form has expired or was not sent by this console. Open the sign-in page again.');
    }
    const loginId = field(form, 'loginId');
    const password = typeof form.password === 'string' ? form.password : '';
    const next = safeNext(field(form, 'next'));
    const application = await ctx.storage.applications.get(ADMIN_APPLICATION_ID);
    const tenant = application === undefined ? undefined : await ctx.storage.tenants.get(application.tenantId);
    if (application === undefined || tenant === undefined) {
      return send(reply, signInPage(pre, next, loginId, 'No administrator exists yet. Create one with a kickstart file or the API (see docs/idp.md, "Admin console").', 403));
    }
    if (loginId === '' || password === '') return send(reply, signInPage(pre, next, loginId, REFUSED, 401));
    const outcome = await authenticatePassword(ctx, tenant, application, loginId, password, ['email', 'username']);
    const isAdmin = outcome.status === 200 && outcome.registration?.roles.includes(ADMIN_ROLE) === true && application.active;
    if (!isAdmin || !('user' in outcome)) {
      ctx.logger.warn({ event: 'admin.sign_in_refused', status: outcome.status }, 'admin console sign-in refused');
      return send(reply, signInPage(pre, next, loginId, REFUSED, 401));
    }
    await sessions.destroy(pre.id);
    const session = await sessions.create({ userId: outcome.user.id, loginId: outcome.user.email ?? outcome.user.username ?? outcome.user.id });
    ctx.logger.info({ event: 'admin.signed_in', userId: outcome.user.id }, 'admin console sign-in');
    return reply.code(303).header('set-cookie', sessionCookie(session.id, secure(request))).header('location', next).send();
  });

  app.post('/logout', { config: { auth: 'none' } }, async (request, reply) => {
    const session = await currentSession(scope, request);
    if (session === undefined) return reply.code(303).header('location', '/admin/login').send();
    const form = (request.body ?? {}) as Form;
    if (!csrfMatches(session, form._csrf) || crossOrigin(request)) return forbidden(reply, 'This sign-out was not sent by this console.');
    await sessions.destroy(session.id);
    return reply.code(303).header('set-cookie', clearedCookie(secure(request))).header('location', '/admin/login').send();
  });
}
