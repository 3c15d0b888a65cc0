/**
 * HTTP plumbing shared by the /oauth2 routes: no API key (`auth: 'none'`), form bodies parsed into
 * Params (a body must be `application/x-www-form-urlencoded`), and the security headers of HTML pages.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest } from './errors.js';
import { parseParams, queryParams, type Params } from './form.js';

export const OAUTH_ROUTE = { auth: 'none' as const };

/** Registers the form parser in the (encapsulated) OAuth scope: the body stays a string until parsed here. */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
}

/** The form body; a non-form or absent body is invalid_request. */
export function formBody(request: FastifyRequest): Params {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type) || typeof request.body !== 'string') {
    return invalidRequest('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  }
  return parseParams(request.body);
}

/** GET: the query; POST: the form body (query parameters ignored, as RFC 6749 wants for secrets). */
export function requestParams(request: FastifyRequest): Params {
  return request.method === 'POST' ? formBody(request) : queryParams(request.url);
}
