/**
 * The hosted backend's own redirect URI, `<this server>/app/callback`. `/oauth2/authorize` accepts it for
 * every application without listing it in `authorizedRedirectURLs` (as FusionAuth does): a code sent there
 * is redeemed only with the PKCE verifier held in the HttpOnly cookie of the browser that started the
 * sign-in, and the browser then goes on only to one of the application's authorized redirect URLs.
 */
import type { FastifyRequest } from 'fastify';
import { baseUrl } from '../../routes/well-known.js';

export const CALLBACK_PATH = '/app/callback';

export function hostedCallbackUri(request: FastifyRequest): string {
  return `${baseUrl(request)}${CALLBACK_PATH}`;
}

export function isHostedCallback(request: FastifyRequest, uri: string): boolean {
  return uri === hostedCallbackUri(request);
}
