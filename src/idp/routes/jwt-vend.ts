/**
 * `POST /api/jwt/vend` (API key): a free-form JWT, as FusionAuth's vendJWT. Body `{claims?, keyId?,
 * timeToLiveInSeconds?}`; the token carries the caller's claims plus the server's `exp` (now + the TTL,
 * default the tenant's), `iat`, `iss` (the tenant's issuer) and `jti` (a new UUID), signed with `keyId`
 * (default: the tenant's access-token key). `exp` and `iat` given in `claims` are ignored, as FusionAuth
 * ignores them. → `{"token"}`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors } from '../model/errors.js';
import { isObject, optionalInteger, optionalUuid } from '../model/input.js';
import { assertImplementedFields } from '../http/not-implemented.js';
import { requireTenant } from '../http/tenant.js';
import { bodyOf } from './common.js';

const FIELDS: ReadonlySet<string> = new Set(['claims', 'keyId', 'timeToLiveInSeconds']);
const NONE: ReadonlySet<string> = new Set();
/** Set by the server whatever the caller says. */
const SERVER_TIMES = new Set(['exp', 'iat']);

export function registerJwtVendRoute(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/api/jwt/vend', { config: { endpoint: '/api/jwt/vend' } }, async (request) => {
    const body = bodyOf(request);
    assertImplementedFields(body, '', FIELDS, NONE);
    const errors = new ApiErrors();
    if (body.claims !== undefined && body.claims !== null && !isObject(body.claims)) errors.invalid('claims', 'The [claims] property must be an object.');
    const keyId = optionalUuid(errors, body, 'keyId', 'keyId');
    const ttl = optionalInteger(errors, body, 'timeToLiveInSeconds', 'timeToLiveInSeconds');
    errors.throwIfAny();
    const tenant = await requireTenant(ctx, request);
    const signingKeyId = keyId?.toLowerCase() ?? tenant.jwtConfiguration.accessTokenKeyId;
    const signer = await ctx.keys.signer(signingKeyId);
    if (signer === undefined) return errors.invalid('keyId', `The key [${signingKeyId}] does not exist or cannot sign.`).throwIfAny();
    const nowS = Math.floor(ctx.now() / 1000);
    const claims: Record<string, unknown> = { exp: nowS + (ttl ?? tenant.jwtConfiguration.timeToLiveInSeconds), iat: nowS, iss: tenant.issuer, jti: randomUUID() };
    for (const [name, value] of Object.entries(isObject(body.claims) ? body.claims : {})) if (!SERVER_TIMES.has(name)) claims[name] = value;
    return { token: signer.sign(claims) };
  });
}
