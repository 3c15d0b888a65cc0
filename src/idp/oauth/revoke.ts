/**
 * `POST /oauth2/revoke` (RFC 7009; FusionAuth has no such endpoint, its equivalent is
 * `DELETE /api/jwt/refresh`). Form `token` and optional `token_type_hint` (`refresh_token` |
 * `access_token`, only a lookup hint); the client authenticates as at the token endpoint (its
 * `clientAuthenticationPolicy`; a public client sends `client_id`). The answer is 200 with an empty body
 * whether or not the token was known, valid or the client's (so it tells nothing); only a token of this
 * client is revoked:
 *
 * - a refresh token is deleted (and with it every access token whose `sid` names it: introspection and
 *   userinfo then see them inactive);
 * - an access token is revoked through its session: the refresh token its `sid` names is deleted. An
 *   access token without `sid` (no refresh token was issued with it) cannot be recalled before its `exp`:
 *   400 `unsupported_token_type`, as RFC 7009 §2.2.1 says.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { authenticateClient, requireAuthenticated, triedBasic } from './client-auth.js';
import { OAuthError, sendOAuthError } from './errors.js';
import { param, requiredParam } from './form.js';
import { formBody, OAUTH_ROUTE } from './http.js';

const HINTS = new Set(['refresh_token', 'access_token']);

export function registerRevoke(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/oauth2/revoke', { config: OAUTH_ROUTE }, async (request, reply) => {
    try {
      const params = formBody(request);
      const token = requiredParam(params, 'token');
      const hint = param(params, 'token_type_hint');
      const client = await authenticateClient(ctx, request, params);
      requireAuthenticated(client, true);
      void reply.header('cache-control', 'no-store');
      const clientId = client.application.id;
      // a JWT has dots, a refresh token never does (base64url): the hint only orders the lookups
      const looksLikeJwt = token.includes('.');
      // RFC 7009 §2.1: an unknown hint may be ignored; a known one cannot change what the token is
      void (hint !== undefined && HINTS.has(hint));
      if (!looksLikeJwt) {
        const record = await ctx.tokens.findRefreshToken(token);
        if (record !== undefined && record.applicationId === clientId) {
          await ctx.storage.refreshTokens.delete(record.id);
          await ctx.revocationEvents.refreshTokensRevoked([record]);
        }
        return reply.code(200).send();
      }
      const claims = await ctx.keys.verify(token);
      if (claims === undefined) return reply.code(200).send();
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(clientId)) return reply.code(200).send();
      if (typeof claims.sid !== 'string') {
        throw new OAuthError('unsupported_token_type', 'unsupported_token_type', 'This access token has no session to revoke; it stays valid until it expires.', 400);
      }
      const session = await ctx.storage.refreshTokens.get(claims.sid);
      if (session !== undefined && session.applicationId === clientId) {
        await ctx.storage.refreshTokens.delete(session.id);
        await ctx.revocationEvents.refreshTokensRevoked([session], { accessToken: claims });
      }
      return reply.code(200).send();
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error, triedBasic(request));
      throw error;
    }
  });
}
