/**
 * CSRF protection of the hosted login form: a double-submit token. The page sets a random value in an
 * HttpOnly, SameSite=Strict cookie scoped to /oauth2 and repeats it in a hidden field; a POST whose field
 * does not equal its cookie (compared in constant time) is refused before any credential is looked at.
 * SameSite=Strict alone already keeps other sites' form posts from carrying the cookie.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, randomToken } from '../crypto/secrets.js';
import { cookie } from '../services/session.js';
import type { Params } from './form.js';
import { secureAttribute } from '../http/secure-cookies.js';

export const CSRF_COOKIE = 'gatehouse_csrf';
export const CSRF_FIELD = 'csrf';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The request's CSRF token (a well-formed cookie value) or a new one, set as the cookie on `reply`;
 * `path` scopes the cookie (/oauth2 for the login and registration pages, /password and /email for the
 * self-service pages).
 */
export function issueCsrfToken(request: FastifyRequest, reply: FastifyReply, path = '/oauth2'): string {
  const existing = cookie(request, CSRF_COOKIE);
  const token = existing !== undefined && TOKEN.test(existing) ? existing : randomToken(32);
  const secure = secureAttribute(request);
  void reply.header('set-cookie', `${CSRF_COOKIE}=${token}; Path=${path}; HttpOnly; SameSite=Strict${secure}`);
  return token;
}

export function csrfValid(request: FastifyRequest, params: Params): boolean {
  const fromCookie = cookie(request, CSRF_COOKIE);
  const fromForm = params.get(CSRF_FIELD);
  return fromCookie !== undefined && fromForm !== undefined && TOKEN.test(fromCookie) && constantTimeEqual(fromCookie, fromForm);
}
