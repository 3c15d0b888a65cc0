/**
 * `POST /oauth2/introspect` (RFC 7662), form `token` and the client (`client_id`, or Basic with its
 * secret). `{"active": true, ...claims}` for a valid, unexpired, unrevoked token issued to that client
 * (its `aud`, or its `sub` for a client-credentials token); `{"active": false}` otherwise. A wrong client
 * secret is 401 invalid_client. A client-credentials token (header `gty: ["client_credentials"]`) may be
 * introspected with `token` alone, as FusionAuth allows. A refresh token introspects as
 * `{active:true, token_type:"refresh_token", client_id, sub, scope, iat, exp...}` while it works.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { authenticateClient, triedBasic } from './client-auth.js';
import { OAuthError, sendOAuthError } from './errors.js';
import { param, requiredParam } from './form.js';
import { formBody, OAUTH_ROUTE } from './http.js';
import { isRevoked } from './revocation.js';
import { loadRefreshToken } from '../routes/jwt.js';
import { refreshTokenExpiry } from '../services/tokens.js';

export function registerIntrospect(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/oauth2/introspect', { config: OAUTH_ROUTE }, async (request, reply) => {
    try {
      const params = formBody(request);
      const token = requiredParam(params, 'token');
      // FusionAuth: a client-credentials token may be introspected with `token` alone (the client's
      // introspectClientCredentialsAccessToken); any other token needs its client
      if (param(params, 'client_id') === undefined && !triedBasic(request)) {
        void reply.header('cache-control', 'no-store');
        const claims = isClientCredentialsToken(token) ? await ctx.keys.verify(token) : undefined;
        if (claims === undefined || (await isRevoked(ctx, claims))) return { active: false };
        return { active: true, ...claims };
      }
      const client = await authenticateClient(ctx, request, params);
      void reply.header('cache-control', 'no-store');
      // a refresh token (never a JWT: no dots): active while it exists, is unexpired and is this client's
      if (!token.includes('.')) return introspectRefreshToken(ctx, token, client.application.id);
      const claims = await ctx.keys.verify(token);
      if (claims === undefined || (await isRevoked(ctx, claims))) return { active: false };
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(client.application.id) && claims.sub !== client.application.id) return { active: false };
      return { active: true, ...claims };
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error, triedBasic(request));
      throw error;
    }
  });
}

/** True when the JWT's header says it came from the client_credentials grant (`gty`). */
function isClientCredentialsToken(token: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, Math.max(0, token.indexOf('.'))), 'base64url').toString('utf8')) as { gty?: unknown };
    return Array.isArray(header.gty) && header.gty.length === 1 && header.gty[0] === 'client_credentials';
  } catch {
    return false;
  }
}

/** RFC 7662's answer for a refresh token: its owner, client, scope and lifetime; `{active:false}` otherwise. */
async function introspectRefreshToken(ctx: IdpContext, token: string, clientId: string): Promise<Record<string, unknown>> {
  const loaded = await loadRefreshToken(ctx, token);
  if (loaded === undefined || loaded.record.applicationId !== clientId) return { active: false };
  const { record, tenant, application } = loaded;
  const out: Record<string, unknown> = {
    active: true,
    token_type: 'refresh_token',
    client_id: clientId,
    aud: clientId,
    sub: record.userId,
    iss: tenant.issuer,
    iat: Math.floor(record.startInstant / 1000),
    exp: Math.floor(refreshTokenExpiry(record, tenant, application) / 1000),
    jti: record.id,
    tid: tenant.id,
  };
  if (record.scope !== undefined) out.scope = record.scope;
  return out;
}
