/**
 * When the cookies of the hosted pages (CSRF, `fusionauth.sso`, `fusionauth.trust`, `access_token` /
 * `refresh_token`, the hosted backend's `app.*`, the console's session) carry `Secure`: when the request
 * came over TLS, and also when the identity provider's public URL (`--public-url`) is https — a deployment
 * behind a TLS-terminating proxy sees plain http, but the browser talks https.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every request: the public URL is https. */
    publicHttps: boolean;
  }
}

/** Marks every request of `app` with whether the public URL (read per request: it is set once listening) is https. */
export function markPublicHttps(app: FastifyInstance, ctx: IdpContext): void {
  app.decorateRequest('publicHttps', false);
  app.addHook('onRequest', async (request) => {
    request.publicHttps = /^https:/i.test(ctx.publicUrl);
  });
}

/** Whether a cookie set in answer to `request` is `Secure`. */
export function secureCookie(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.publicHttps === true;
}

/** `'; Secure'` or `''`, to end a Set-Cookie value. */
export function secureAttribute(request: FastifyRequest): string {
  return secureCookie(request) ? '; Secure' : '';
}
