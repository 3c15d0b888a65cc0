/**
 * The fastify instance: JSON parsing that answers bad JSON in FusionAuth's error shape, the API key check
 * before every route, FusionAuth's statuses for errors (400 with Errors; 401/404/423/500 with an empty body),
 * and one log line per request naming the route pattern, never the query string (which can hold a token).
 */
import { createServer } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, StatusError, ValidationError } from '../model/errors.js';
import { DuplicateError } from '../storage/index.js';
import { authenticate } from './auth.js';
import { FastPath } from './fast-path.js';
import { pathIdsAreUuids, refuseEndpoint } from './not-implemented.js';
import { markPublicHttps } from './secure-cookies.js';

export const BODY_LIMIT = 1024 * 1024;

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError(new ApiErrors().general('[invalidJSON]', 'Unable to parse the request body as JSON. Check that it is valid JSON.'));
  }
}

export function createApp(ctx: IdpContext): FastifyInstance {
  const fast = new FastPath(ctx.keys);
  const app = Fastify({
    // the JWKS is answered before the router when its bytes are ready (fast-path.ts)
    serverFactory: (handler) =>
      createServer((request, response) => {
        if (!fast.serve(request, response)) handler(request, response);
      }),
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  markPublicHttps(app, ctx);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined) return;
    if (route.startsWith('/api/') && !pathIdsAreUuids(request)) return refuseEndpoint(request, reply);
    if (!(await authenticate(ctx, request))) {
      await reply.code(401).send();
    }
  });

  // API answers can hold tokens, keys and user data: never cached by a browser or a proxy.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
  });

  app.addHook('onResponse', async (request, reply) => {
    const line = { method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    request.log.info(request.notImplemented === true ? { ...line, notImplemented: true } : line, 'request');
  });

  app.setNotFoundHandler((request, reply) => {
    void refuseEndpoint(request, reply);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ValidationError) return reply.code(400).send(error.errors.body());
    if (error instanceof StatusError) return reply.code(error.status).send();
    if (error instanceof DuplicateError) {
      return reply.code(400).send(new ApiErrors().general('[duplicate]', 'The request conflicts with an existing object.').body());
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send(new ApiErrors().general('[invalidRequest]', error.message).body());
    }
    request.log.error({ err: { code: (error as { code?: string }).code, message: error.message, stack: error.stack }, route: request.routeOptions.url }, 'request failed');
    return reply.code(500).send();
  });

  return app;
}
