/**
 * `/.well-known/jwks.json` (every asymmetric key, never HMAC; pre-serialised by the key ring) and the
 * OpenID discovery document, global (`?tenantId=`) and per tenant (`/{tenantId}/.well-known/...`).
 *
 * The discovery document lists only what this server implements. The OAuth 2.0 / OIDC issue adds its
 * endpoints to OAUTH_DISCOVERY below as it builds them (authorization_endpoint, token_endpoint,
 * userinfo_endpoint, end_session_endpoint, grant_types_supported, response_types_supported...).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { notFound } from '../model/errors.js';
import { isUuid } from '../model/input.js';
import type { Tenant } from '../model/types.js';
import { query } from './common.js';

const PUBLIC = { auth: 'none' as const };

/** Discovery members for the OAuth endpoints, added by the OAuth issue; none are served yet. */
export const OAUTH_DISCOVERY: Record<string, (base: string) => unknown> = {};

const CLAIMS_SUPPORTED = ['applicationId', 'aud', 'auth_time', 'authenticationType', 'email', 'email_verified', 'exp', 'iat', 'iss', 'jti', 'preferred_username', 'roles', 'sid', 'sub', 'tid'];
const SIGNING_ALGS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512'];

export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function discovery(tenant: Tenant, base: string): Record<string, unknown> {
  const document: Record<string, unknown> = {
    issuer: tenant.issuer,
    jwks_uri: `${base}/.well-known/jwks.json`,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: SIGNING_ALGS,
    claims_supported: CLAIMS_SUPPORTED,
  };
  for (const [name, value] of Object.entries(OAUTH_DISCOVERY)) document[name] = value(base);
  return document;
}

async function defaultTenant(ctx: IdpContext): Promise<Tenant | undefined> {
  const id = await ctx.storage.getSetting('defaultTenantId');
  if (id !== undefined) {
    const tenant = await ctx.storage.tenants.get(id);
    if (tenant !== undefined) return tenant;
  }
  return (await ctx.storage.tenants.find())[0];
}

export function registerWellKnownRoutes(app: FastifyInstance, ctx: IdpContext): void {
  app.get('/.well-known/jwks.json', { config: PUBLIC }, async (_request, reply) => {
    return reply.type('application/json; charset=utf-8').send(await ctx.keys.jwks());
  });

  // serialised once per tenant and base URL, until the next key or tenant write (KeyRing.document)
  const configuration = async (request: FastifyRequest, reply: FastifyReply, tenantId: string | undefined) => {
    if (tenantId !== undefined && !isUuid(tenantId)) return notFound();
    const base = baseUrl(request);
    const text = await ctx.keys.document(`discovery ${tenantId?.toLowerCase() ?? 'default'} ${base}`, async () => {
      const tenant = tenantId === undefined ? await defaultTenant(ctx) : await ctx.storage.tenants.get(tenantId.toLowerCase());
      return tenant === undefined ? '' : JSON.stringify(discovery(tenant, base));
    });
    return text === '' ? notFound() : reply.type('application/json; charset=utf-8').send(text);
  };
  app.get('/.well-known/openid-configuration', { config: PUBLIC }, (request, reply) => configuration(request, reply, query(request).tenantId));
  app.get<{ Params: { tenantId: string } }>('/:tenantId/.well-known/openid-configuration', { config: PUBLIC }, (request, reply) => configuration(request, reply, request.params.tenantId));
}
