/**
 * How console routes are declared. `page` (GET) and `action` (POST) both require a signed-in
 * administrator — without one, a GET is redirected to the sign-in page and so is a POST; an `action`
 * also requires the session's CSRF token in `_csrf` (403 otherwise) and, when the browser sends an Origin,
 * that it is this server. A handler returns a page, or a redirect with an optional flash message.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import type { ConsoleApi } from './api.js';
import { Html, html } from './html.js';
import { page } from './layout.js';
import { cookie } from '../services/session.js';
import { SESSION_COOKIE, csrfMatches, type AdminSession, type SessionStore } from './session.js';

export type Form = Record<string, string | string[]>;

export interface Scope {
  readonly ctx: IdpContext;
  readonly api: ConsoleApi;
  readonly sessions: SessionStore;
}

export interface AdminRequest {
  readonly request: FastifyRequest;
  readonly session: AdminSession;
  readonly form: Form;
  readonly params: Record<string, string>;
  readonly query: Record<string, string>;
  readonly scope: Scope;
}

export interface Redirect {
  readonly redirect: string;
  readonly flash?: string;
}

export type Outcome = Html | Redirect | { status: number; page: Html };

export function field(form: Form, name: string): string {
  const value = form[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
}

export function fields(form: Form, name: string): string[] {
  const value = form[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function checked(form: Form, name: string): boolean {
  return form[name] !== undefined;
}

export function currentSession(scope: Scope, request: FastifyRequest): Promise<AdminSession | undefined> {
  return scope.sessions.get(cookie(request, SESSION_COOKIE));
}

/**
 * True when the browser says the request comes from another site: an Origin whose host is not this
 * server's Host (the scheme is not compared, so a TLS-terminating proxy in front does not break forms), an
 * opaque `Origin: null`, or `Sec-Fetch-Site: cross-site` without an Origin.
 */
export function crossOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return request.headers['sec-fetch-site'] === 'cross-site';
  try {
    return new URL(origin).host !== (request.headers.host ?? '').toLowerCase();
  } catch {
    return true;
  }
}

function firstValues(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string') out[k] = value;
  }
  return out;
}

export function forbidden(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(403)
    .type('text/html; charset=utf-8')
    .send(page({ title: 'Refused', section: 'home', body: html`<h1>Refused</h1><p>${message}</p><p><a href="/admin/">Back to the console</a></p>` }).value);
}

async function answer(reply: FastifyReply, scope: Scope, session: AdminSession, outcome: Outcome): Promise<FastifyReply> {
  if ('redirect' in outcome && !(outcome instanceof Html) && outcome.flash !== undefined) session.flash = outcome.flash;
  // a flash set for the next page, or shown (taken) by this one, is written back: the next request may reach another instance
  await scope.sessions.saveFlash(session);
  if (outcome instanceof Html) return reply.type('text/html; charset=utf-8').send(outcome.value);
  if ('redirect' in outcome) return reply.code(303).header('location', outcome.redirect).send();
  return reply.code(outcome.status).type('text/html; charset=utf-8').send(outcome.page.value);
}

function toSignIn(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const next = request.method === 'GET' ? request.url : '/admin/';
  return reply.code(303).header('location', `/admin/login?next=${encodeURIComponent(next)}`).send();
}

/** Every page and action path (under /admin), for the tests that check each one refuses without a session. */
export const ADMIN_ROUTES: { method: 'GET' | 'POST'; path: string }[] = [];

function remember(method: 'GET' | 'POST', path: string): void {
  if (!ADMIN_ROUTES.some((r) => r.method === method && r.path === `/admin${path}`)) ADMIN_ROUTES.push({ method, path: `/admin${path}` });
}

export class Router {
  constructor(
    private readonly app: FastifyInstance,
    private readonly scope: Scope,
  ) {}

  page(path: string, handler: (r: AdminRequest) => Promise<Outcome>): void {
    remember('GET', path);
    this.app.get(path, { config: { auth: 'none' } }, async (request, reply) => {
      const session = await currentSession(this.scope, request);
      if (session?.userId === undefined) return toSignIn(request, reply);
      return answer(reply, this.scope, session, await handler({ request, session, form: {}, params: request.params as Record<string, string>, query: firstValues(request.query), scope: this.scope }));
    });
  }

  action(path: string, handler: (r: AdminRequest) => Promise<Outcome>): void {
    remember('POST', path);
    this.app.post(path, { config: { auth: 'none' } }, async (request, reply) => {
      const session = await currentSession(this.scope, request);
      if (session?.userId === undefined) return toSignIn(request, reply);
      const form = (request.body ?? {}) as Form;
      if (typeof form !== 'object' || !csrfMatches(session, form._csrf) || crossOrigin(request)) {
        return forbidden(reply, 'This form was not sent by this console, or it has expired. Go back, reload the page and try again.');
      }
      return answer(reply, this.scope, session, await handler({ request, session, form, params: request.params as Record<string, string>, query: firstValues(request.query), scope: this.scope }));
    });
  }
}

/** Takes the flash message of a session (shown once). */
export function takeFlash(session: AdminSession): string | undefined {
  const flash = session.flash;
  delete session.flash;
  return flash;
}
