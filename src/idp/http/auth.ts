/**
 * API key authentication: `Authorization: <raw key>`. The key is found by the SHA-256 of the presented
 * value (an indexed lookup whose timing says nothing about the key) and then compared in constant time.
 * A route names its permission endpoint (`/api/user`, `/api/jwt/refresh`...) in its config; a key with an
 * empty `permissions.endpoints` may call everything, otherwise the endpoint must list the method.
 * Missing, unknown, expired or not permitted: 401 with an empty body.
 */
import type { FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import type { ApiKey } from '../model/types.js';
import { constantTimeEqual, sha256Hex } from '../crypto/secrets.js';

/** `apiKey`: a permitted key is required; `keyManager`: and it must be a key manager; `optional`: the route decides; `none`. */
export type AuthMode = 'apiKey' | 'keyManager' | 'optional' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission endpoint of `permissions.endpoints` this route belongs to. */
    endpoint?: string;
    auth?: AuthMode;
  }
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

const INTERNAL_KEY: ApiKey = {
  id: '00000000-0000-0000-0000-000000000000',
  keyHash: '',
  keyManager: true,
  permissions: { endpoints: {} },
  metaData: { attributes: { description: 'kickstart' } },
  retrievable: false,
  insertInstant: 0,
  lastUpdateInstant: 0,
};

export function presentedKey(request: FastifyRequest): string | undefined {
  const value = request.headers.authorization;
  if (value === undefined || value === '' || /^(bearer|basic) /i.test(value)) return undefined;
  return value;
}

/** The stored key for the presented value, when it exists and has not expired. */
export async function findApiKey(ctx: IdpContext, value: string): Promise<ApiKey | undefined> {
  if (ctx.internalKey !== undefined && constantTimeEqual(value, ctx.internalKey)) return INTERNAL_KEY;
  if (ctx.consoleKey !== undefined && constantTimeEqual(value, ctx.consoleKey)) return INTERNAL_KEY;
  const hash = sha256Hex(value);
  const key = await ctx.storage.apiKeys.findOne({ key_hash: hash });
  if (key === undefined || !constantTimeEqual(key.keyHash, hash)) return undefined;
  if (key.expirationInstant !== undefined && key.expirationInstant <= ctx.now()) return undefined;
  return key;
}

export function permits(key: ApiKey, endpoint: string | undefined, method: string): boolean {
  const endpoints = key.permissions.endpoints;
  const names = Object.keys(endpoints);
  if (names.length === 0) return true;
  if (endpoint === undefined) return false;
  const allowed = endpoints[endpoint];
  const verb = method === 'HEAD' ? 'GET' : method;
  return allowed !== undefined && allowed.some((m) => m.toUpperCase() === verb);
}

/** A tenant-locked key may not name another tenant in X-FusionAuth-TenantId. */
function tenantMatches(key: ApiKey, request: FastifyRequest): boolean {
  const header = request.headers['x-fusionauth-tenantid'];
  const value = Array.isArray(header) ? header[0] : header;
  return key.tenantId === undefined || value === undefined || value === '' || value.toLowerCase() === key.tenantId;
}

/** The onRequest-stage check: true when the request may proceed (request.apiKey set if a key was used). */
export async function authenticate(ctx: IdpContext, request: FastifyRequest): Promise<boolean> {
  const mode = request.routeOptions.config.auth ?? 'apiKey';
  if (mode === 'none') return true;
  const value = presentedKey(request);
  const key = value === undefined ? undefined : await findApiKey(ctx, value);
  const endpoint = request.routeOptions.config.endpoint;
  const ok = key !== undefined && permits(key, endpoint, request.method) && (mode !== 'keyManager' || key.keyManager) && tenantMatches(key, request);
  if (ok) request.apiKey = key;
  return ok || mode === 'optional';
}
