/**
 * JWT API: public keys, validate, refresh (exchange, list, retrieve, revoke) and logout.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, notFound, unauthorized } from '../model/errors.js';
import { isUuid, optionalInteger, optionalString } from '../model/input.js';
import { refreshTokenJson } from '../model/serialize.js';
import type { Application, RefreshToken, Tenant, User } from '../model/types.js';
import { accessTokenTtl, refreshPolicy, refreshTokenExpiry } from '../services/tokens.js';
import { clearSessionCookies, cookie, setSessionCookies } from '../services/session.js';
import { bodyOf, isTrue, query } from './common.js';

const PUBLIC = { auth: 'none' as const };
const REFRESH = { endpoint: '/api/jwt/refresh' };

function invalidRefreshToken(): never {
  return fieldError('refreshToken', 'invalid', 'The refresh token is not valid.');
}

/** The bearer token of the request (header, then the `access_token` cookie). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined && /^bearer /i.test(header)) return header.slice(7).trim() || undefined;
  return cookie(request, 'access_token');
}

export interface RefreshContext {
  record: RefreshToken;
  tenant: Tenant;
  application: Application;
  user: User;
}

/** Loads what a refresh token belongs to, or undefined when it is unknown, expired or orphaned. */
export async function loadRefreshToken(ctx: IdpContext, value: string): Promise<RefreshContext | undefined> {
  const record = await ctx.tokens.findRefreshToken(value);
  if (record === undefined) return undefined;
  const [tenant, application, user] = await Promise.all([
    ctx.storage.tenants.get(record.tenantId),
    ctx.storage.applications.get(record.applicationId),
    ctx.storage.users.get(record.userId),
  ]);
  if (tenant === undefined || application === undefined || user === undefined || !user.active) return undefined;
  if (refreshTokenExpiry(record, tenant, application) <= ctx.now()) {
    await ctx.storage.refreshTokens.delete(record.id);
    return undefined;
  }
  return { record, tenant, application, user };
}

export function registerJwtRoutes(app: FastifyInstance, ctx: IdpContext): void {
  app.get('/api/jwt/public-key', { config: PUBLIC }, async (request) => {
    const q = query(request);
    if (q.kid !== undefined) {
      const key = await ctx.storage.keys.findOne({ kid: q.kid });
      return key?.publicKey === undefined ? notFound() : { publicKey: key.publicKey };
    }
    if (q.applicationId !== undefined) {
      const application = isUuid(q.applicationId) ? await ctx.storage.applications.get(q.applicationId.toLowerCase()) : undefined;
      if (application === undefined) return notFound();
      const tenant = await ctx.storage.tenants.get(application.tenantId);
      const keyId = application.jwtConfiguration.enabled && application.jwtConfiguration.accessTokenKeyId ? application.jwtConfiguration.accessTokenKeyId : tenant?.jwtConfiguration.accessTokenKeyId;
      const key = keyId === undefined ? undefined : await ctx.storage.keys.get(keyId);
      return key?.publicKey === undefined ? {} : { publicKey: key.publicKey };
    }
    const publicKeys: Record<string, string> = {};
    for (const key of await ctx.storage.keys.find()) if (key.publicKey !== undefined && key.hasPrivateKey) publicKeys[key.kid] = key.publicKey;
    return { publicKeys };
  });

  app.get('/api/jwt/validate', { config: PUBLIC }, async (request) => {
    const token = bearerToken(request);
    const claims = token === undefined ? undefined : await ctx.keys.verify(token);
    return claims === undefined ? unauthorized() : { jwt: claims };
  });

  app.post('/api/jwt/refresh', { config: PUBLIC }, async (request, reply) => {
    const body = bodyOf(request);
    const errors = new ApiErrors();
    const fromBody = optionalString(errors, body, 'refreshToken', 'refreshToken');
    const ttl = optionalInteger(errors, body, 'timeToLiveInSeconds', 'timeToLiveInSeconds');
    errors.throwIfAny();
    const value = cookie(request, 'refresh_token') ?? fromBody;
    if (value === undefined || value === '') return fieldError('refreshToken', 'blank', 'You must specify the [refreshToken] property.');
    const loaded = await loadRefreshToken(ctx, value);
    if (loaded === undefined) return invalidRefreshToken();
    const { record, tenant, application, user } = loaded;
    if (!application.loginConfiguration.allowTokenRefresh) {
      return fieldError('refreshToken', 'disabled', 'Refreshing tokens is disabled for the application ([application.loginConfiguration.allowTokenRefresh] is false).');
    }
    if (ttl !== undefined && ttl > accessTokenTtl(tenant, application)) {
      return fieldError('timeToLiveInSeconds', 'invalid', 'The [timeToLiveInSeconds] property is greater than the configured time to live of the application.');
    }
    const used = await ctx.tokens.useRefreshToken(record, value, refreshPolicy(tenant, application).usage === 'OneTimeUse');
    if (used === undefined) return invalidRefreshToken();
    const registration = await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id });
    const access = await ctx.tokens.issueAccessToken({
      tenant,
      application,
      user,
      ...(registration === undefined ? {} : { registration }),
      authenticationType: 'REFRESH_TOKEN',
      authTime: record.authTime,
      sid: record.id,
      ...(record.grants.length === 0 ? {} : { grants: [...record.grants, 'refresh_token'] }),
      ...(record.scope === undefined ? {} : { scope: record.scope }),
      ...(ttl === undefined ? {} : { ttlSeconds: ttl }),
    });
    const tokens = { refreshToken: used.token, refreshTokenId: record.id, token: access.token };
    setSessionCookies(request, reply, tokens, tenant, application);
    return tokens;
  });

  /** An API key, or else a valid JWT: the user it names (undefined = any user the key may see). */
  const caller = async (request: FastifyRequest): Promise<{ owner?: string }> => {
    if (request.apiKey !== undefined) return {};
    const jwt = bearerToken(request);
    const claims = jwt === undefined ? undefined : await ctx.keys.verify(jwt);
    return typeof claims?.sub === 'string' ? { owner: claims.sub } : unauthorized();
  };

  app.get('/api/jwt/refresh', { config: { ...REFRESH, auth: 'optional' } }, async (request) => {
    const { owner } = await caller(request);
    const userId = query(request).userId;
    if (!isUuid(userId)) return fieldError('userId', 'invalid', 'You must specify a valid [userId] parameter.');
    if (owner !== undefined && owner !== userId.toLowerCase()) return unauthorized();
    const scope = request.apiKey?.tenantId;
    const tokens = await ctx.storage.refreshTokens.find({ user_id: userId.toLowerCase() });
    return { refreshTokens: tokens.filter((t) => scope === undefined || t.tenantId === scope).map(refreshTokenJson) };
  });

  app.get<{ Params: { id: string } }>('/api/jwt/refresh/:id', { config: REFRESH }, async (request) => {
    const token = isUuid(request.params.id) ? await ctx.storage.refreshTokens.get(request.params.id.toLowerCase()) : undefined;
    const scope = request.apiKey?.tenantId;
    return token === undefined || (scope !== undefined && scope !== token.tenantId) ? notFound() : { refreshToken: refreshTokenJson(token) };
  });

  const revokeBody = (request: FastifyRequest): Record<string, string> => {
    const body = bodyOf(request);
    const out: Record<string, string> = {};
    for (const name of ['token', 'userId', 'applicationId'] as const) {
      const value = body[name];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') fieldError(name, 'invalid', `The [${name}] property must be a string.`);
      out[name] = value;
    }
    return out;
  };

  /**
   * Revocation: by `?token=`, `/{tokenId}`, `?userId=`, `?applicationId=` or both. An API key may revoke
   * any token in its tenant scope; without one, a valid JWT may revoke its own user's tokens.
   */
  const revoke = async (request: FastifyRequest<{ Params: { id?: string } }>, reply: FastifyReply) => {
    const { owner } = await caller(request);
    const scope = request.apiKey?.tenantId;
    const allowed = (t: RefreshToken) => (owner === undefined || t.userId === owner) && (scope === undefined || t.tenantId === scope);
    // the parameters in the query, or in a JSON body (the client's revokeRefreshTokensWithRequest)
    const q = { ...query(request), ...revokeBody(request) };
    let targets: RefreshToken[];
    if (request.params.id !== undefined || q.token !== undefined) {
      const token = request.params.id !== undefined ? (isUuid(request.params.id) ? await ctx.storage.refreshTokens.get(request.params.id.toLowerCase()) : undefined) : await ctx.tokens.findRefreshToken(q.token!);
      if (token === undefined || !allowed(token)) return notFound();
      targets = [token];
    } else if (q.userId !== undefined || q.applicationId !== undefined) {
      if ((q.userId !== undefined && !isUuid(q.userId)) || (q.applicationId !== undefined && !isUuid(q.applicationId))) {
        return fieldError(q.userId !== undefined && !isUuid(q.userId) ? 'userId' : 'applicationId', 'invalid', 'The parameter must be a UUID.');
      }
      const where: Record<string, string> = {};
      if (q.userId !== undefined) where.user_id = q.userId.toLowerCase();
      if (q.applicationId !== undefined) where.application_id = q.applicationId.toLowerCase();
      targets = (await ctx.storage.refreshTokens.find(where)).filter(allowed);
    } else {
      return fieldError('token', 'invalid', 'You must specify a [token], [tokenId], [userId] or [applicationId] to revoke.');
    }
    for (const token of targets) await ctx.storage.refreshTokens.delete(token.id);
    const wholeUser = q.userId !== undefined && q.applicationId === undefined && (owner === undefined || owner === q.userId.toLowerCase()) ? q.userId.toLowerCase() : undefined;
    await ctx.revocationEvents.refreshTokensRevoked(targets, wholeUser === undefined ? {} : { user: { id: wholeUser, tenantScope: scope } });
    return reply.code(200).send();
  };
  app.delete('/api/jwt/refresh', { config: { ...REFRESH, auth: 'optional' } }, revoke);
  app.delete('/api/jwt/refresh/:id', { config: { ...REFRESH, auth: 'optional' } }, revoke);

  app.post('/api/logout', { config: PUBLIC }, async (request, reply) => {
    const q = query(request);
    const body = bodyOf(request);
    const value = cookie(request, 'refresh_token') ?? (typeof body.refreshToken === 'string' ? body.refreshToken : q.refreshToken);
    const global = body.global === true || isTrue(q.global);
    if (value !== undefined && value !== '') {
      const record = await ctx.tokens.findRefreshToken(value);
      if (record !== undefined) {
        if (global) await ctx.storage.refreshTokens.deleteWhere({ user_id: record.userId });
        else await ctx.storage.refreshTokens.delete(record.id);
        await ctx.revocationEvents.refreshTokensRevoked([record]);
      }
    }
    clearSessionCookies(reply);
    return reply.code(200).send();
  });
}
