/**
 * The admin console at /admin: one encapsulated fastify plugin with its own form parser, security headers
 * on every answer (no framing, a strict Content-Security-Policy, no caching, no referrer to other sites — `no-referrer` would make Chromium send `Origin: null` on the console's own forms), its own error
 * and not-found pages, the static assets, sign-in, and the section pages.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { ConsoleApi } from './api.js';
import { ADMIN_CSS, ADMIN_JS } from './assets.js';
import { html } from './html.js';
import { page } from './layout.js';
import { registerApiKeyPages } from './pages/api-keys.js';
import { registerApplicationPages } from './pages/applications.js';
import { registerDashboard } from './pages/dashboard.js';
import { registerKeyPages } from './pages/keys.js';
import { registerMailPage } from './pages/mail.js';
import { registerTenantPages } from './pages/tenants.js';
import { registerUserPages } from './pages/users.js';
import { Router, type Form, type Scope } from './router.js';
import { SessionStore } from './session.js';
import { registerSignIn } from './sign-in.js';

export const SECURITY_HEADERS: Record<string, string> = {
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
};

/** application/x-www-form-urlencoded → name → value, or a list of values when a name repeats. */
export function parseForm(text: string): Form {
  const form: Form = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = form[name];
    form[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return form;
}

function asset(body: string, type: string) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { body, type, etag };
}

/** Every route the console registers (`GET /admin/...`), whatever registered it: the tests check each is guarded or meant to be public. */
export const REGISTERED_ROUTES = new Set<string>();

export function registerAdminConsole(app: FastifyInstance, ctx: IdpContext): void {
  const scope: Scope = { ctx, api: new ConsoleApi(app, ctx), sessions: new SessionStore(ctx.storage, ctx.now) };
  app.register(
    async (admin) => {
      admin.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD') REGISTERED_ROUTES.add(`${method} ${route.url}`);
      });
      // forms only: a JSON or text body to a console route is 415
      admin.removeAllContentTypeParsers();
      admin.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, parseForm(body as string)));

      admin.addHook('onSend', async (_request, reply, payload) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name) || name !== 'cache-control') void reply.header(name, value);
        return payload;
      });

      admin.setNotFoundHandler((_request, reply) =>
        reply.code(404).type('text/html; charset=utf-8').send(page({ title: 'Not found', section: 'home', body: html`<h1>Not found</h1><p><a href="/admin/">Back to the console</a></p>` }).value),
      );
      admin.setErrorHandler((error, request, reply) => {
        const status = (error as { statusCode?: number }).statusCode;
        if (status !== undefined && status >= 400 && status < 500) {
          return reply.code(status).type('text/html; charset=utf-8').send(page({ title: 'Bad request', section: 'home', body: html`<h1>Bad request</h1><p>The request could not be read.</p>` }).value);
        }
        request.log.error({ err: { code: (error as { code?: string }).code, message: (error as Error).message }, route: request.routeOptions.url }, 'admin console request failed');
        return reply.code(500).type('text/html; charset=utf-8').send(page({ title: 'Error', section: 'home', body: html`<h1>Something went wrong</h1><p>The error was logged. <a href="/admin/">Back to the console</a></p>` }).value);
      });

      for (const [name, file] of [['admin.css', asset(ADMIN_CSS, 'text/css; charset=utf-8')], ['admin.js', asset(ADMIN_JS, 'text/javascript; charset=utf-8')]] as const) {
        admin.get(`/assets/${name}`, { config: { auth: 'none' } }, async (request, reply) => {
          void reply.header('etag', file.etag).header('cache-control', 'no-cache');
          if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
          return reply.type(file.type).send(file.body);
        });
      }

      registerSignIn(admin, scope);
      const router = new Router(admin, scope);
      registerDashboard(router);
      registerTenantPages(router);
      registerApplicationPages(router);
      registerKeyPages(router);
      registerApiKeyPages(router);
      registerUserPages(router);
      registerMailPage(router);
    },
    { prefix: '/admin' },
  );
}
