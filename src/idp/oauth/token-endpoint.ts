/**
 * `POST /oauth2/token` (form-encoded): client authentication, then the grant. Answers are JSON with
 * `Cache-Control: no-store`; errors are RFC 6749 §5.2 with FusionAuth's `error_reason`.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { authenticateClient, triedBasic } from './client-auth.js';
import { OAuthError, invalidRequest, oauthError, sendOAuthError } from './errors.js';
import { param, type Params } from './form.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { passwordGrant } from './grants/password.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { formBody, OAUTH_ROUTE } from './http.js';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'password', 'client_credentials'] as const;

const GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  password: passwordGrant,
  client_credentials: clientCredentialsGrant,
};

export function registerTokenEndpoint(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/oauth2/token', { config: OAUTH_ROUTE }, async (request, reply) => {
    try {
      const params: Params = formBody(request);
      const grantType = param(params, 'grant_type') ?? invalidRequest('missing_grant_type', 'The request is missing the required parameter [grant_type].');
      const grant = GRANTS[grantType as keyof typeof GRANTS] as (typeof GRANTS)[keyof typeof GRANTS] | undefined;
      if (grant === undefined) oauthError('unsupported_grant_type', 'invalid_grant_type', `The grant type [${grantType.slice(0, 100)}] is not supported.`);
      const client = await authenticateClient(ctx, request, params);
      const body = await grant!(ctx, client, params);
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error, triedBasic(request));
      throw error;
    }
  });
}
