/**
 * API Keys API — `/api/api-key`, for key-manager keys only. A tenant-locked manager manages only its
 * tenant's keys; retrieving, changing or deleting a key needs at least that key's permissions.
 * `keyManager` cannot be set through the API.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, notFound } from '../model/errors.js';
import { isObject, objectAt, optionalBoolean, optionalInteger, optionalString, optionalUuid, type Body } from '../model/input.js';
import { apiKeyJson } from '../model/serialize.js';
import type { ApiKey } from '../model/types.js';
import { randomToken, sha256Hex } from '../crypto/secrets.js';
import { DuplicateError } from '../storage/index.js';
import { createId, pathId, wrapped } from './common.js';

const CONFIG = { endpoint: '/api/api-key', auth: 'keyManager' as const };
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** True when `caller` may do everything `target` may. */
function covers(caller: ApiKey, target: ApiKey): boolean {
  if (caller.tenantId !== undefined && caller.tenantId !== target.tenantId) return false;
  const mine = caller.permissions.endpoints;
  if (Object.keys(mine).length === 0) return true;
  const theirs = target.permissions.endpoints;
  if (Object.keys(theirs).length === 0) return false;
  return Object.entries(theirs).every(([endpoint, methods]) => methods.every((m) => (mine[endpoint] ?? []).includes(m)));
}

function parseEndpoints(errors: ApiErrors, input: Body): Record<string, string[]> {
  const permissions = objectAt(errors, input, 'permissions', 'apiKey.permissions');
  const endpoints = objectAt(errors, permissions, 'endpoints', 'apiKey.permissions.endpoints');
  const out: Record<string, string[]> = {};
  for (const [endpoint, methods] of Object.entries(endpoints)) {
    if (!endpoint.startsWith('/') || !Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || !METHODS.includes(m.toUpperCase()))) {
      errors.invalid('apiKey.permissions.endpoints', `The endpoint [${endpoint}] must map to a list of HTTP methods.`);
    } else out[endpoint] = (methods as string[]).map((m) => m.toUpperCase());
  }
  return out;
}

async function build(ctx: IdpContext, caller: ApiKey, id: string, input: Body, existing?: ApiKey): Promise<{ key: ApiKey; value?: string }> {
  const errors = new ApiErrors();
  const keyValue = optionalString(errors, input, 'key', 'apiKey.key');
  if (keyValue !== undefined && keyValue.trim().length < 16) errors.invalid('apiKey.key', 'The [apiKey.key] property must be at least 16 characters.');
  const name = optionalString(errors, input, 'name', 'apiKey.name');
  let tenantId = optionalUuid(errors, input, 'tenantId', 'apiKey.tenantId');
  const retrievable = optionalBoolean(errors, input, 'retrievable', 'apiKey.retrievable') ?? existing?.retrievable ?? true;
  const expirationInstant = optionalInteger(errors, input, 'expirationInstant', 'apiKey.expirationInstant');
  const endpoints = parseEndpoints(errors, input);
  const metaData = objectAt(errors, input, 'metaData', 'apiKey.metaData');
  if (!retrievable && (name === undefined || name === '')) errors.blank('apiKey.name', 'You must specify the [apiKey.name] property when [apiKey.retrievable] is false.');
  if (caller.tenantId !== undefined) {
    if (tenantId !== undefined && tenantId !== caller.tenantId) errors.invalid('apiKey.tenantId', 'A tenant-scoped key can only create keys for its own tenant.');
    tenantId = caller.tenantId;
  }
  if (tenantId !== undefined && (await ctx.storage.tenants.get(tenantId)) === undefined) errors.invalid('apiKey.tenantId', `The Tenant Id [${tenantId}] does not exist.`);
  errors.throwIfAny();
  const now = ctx.now();
  const value = existing !== undefined ? undefined : (keyValue ?? randomToken(48));
  const key: ApiKey = {
    id,
    keyHash: value === undefined ? existing!.keyHash : sha256Hex(value),
    keyManager: existing?.keyManager ?? false,
    permissions: { endpoints },
    metaData: { attributes: isObject(metaData.attributes) ? (metaData.attributes as Record<string, string>) : {} },
    retrievable,
    insertInstant: existing?.insertInstant ?? now,
    lastUpdateInstant: now,
  };
  const stored = value ?? existing?.key;
  if (stored !== undefined && retrievable) key.key = stored;
  if (name !== undefined && name !== '') key.name = name;
  if (tenantId !== undefined) key.tenantId = tenantId;
  if (expirationInstant !== undefined) key.expirationInstant = expirationInstant;
  if (!covers(caller, key)) fieldError('apiKey.permissions', 'invalid', 'A key cannot grant permissions its creator does not have.');
  return value === undefined ? { key } : { key, value };
}

/** Stores a new API key; exported for the bootstrap and kickstart `apiKeys`. */
export async function insertApiKey(ctx: IdpContext, key: ApiKey): Promise<void> {
  try {
    await ctx.storage.apiKeys.insert(key);
  } catch (error) {
    if (error instanceof DuplicateError) {
      if ((await ctx.storage.apiKeys.get(key.id)) !== undefined) fieldError('apiKey.id', 'duplicate', `An API key with Id [${key.id}] already exists.`);
      fieldError('apiKey.key', 'duplicate', 'An API key with this value already exists.');
    }
    throw error;
  }
}

export function newApiKey(now: number, value: string, options: Partial<ApiKey> = {}): ApiKey {
  return {
    id: randomUUID(),
    key: value,
    keyHash: sha256Hex(value),
    keyManager: false,
    permissions: { endpoints: {} },
    metaData: { attributes: {} },
    retrievable: true,
    insertInstant: now,
    lastUpdateInstant: now,
    ...options,
  };
}

export function registerApiKeyRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const managed = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<ApiKey> => {
    const key = await ctx.storage.apiKeys.get(pathId(request.params.id));
    if (key === undefined || !covers(request.apiKey!, key)) return notFound();
    return key;
  };

  const create = async (request: FastifyRequest<{ Params: { id?: string } }>) => {
    const input = wrapped(request, 'apiKey');
    const id = createId(request.params.id, input.id, 'apiKey.id');
    const { key, value } = await build(ctx, request.apiKey!, id, input);
    await insertApiKey(ctx, key);
    return { apiKey: { ...apiKeyJson(key, { includeKey: true }), ...(value === undefined ? {} : { key: value }) } };
  };
  app.post('/api/api-key', { config: CONFIG }, create);
  app.post('/api/api-key/:id', { config: CONFIG }, create);

  app.get<{ Params: { id: string } }>('/api/api-key/:id', { config: CONFIG }, async (request) => ({
    apiKey: apiKeyJson(await managed(request), { includeKey: true }),
  }));

  const update = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const existing = await managed(request);
    const input = wrapped(request, 'apiKey');
    const merged = request.method === 'PATCH' ? { ...apiKeyJson(existing, { includeKey: false }), ...input } : input;
    delete (merged as Body).key;
    const { key } = await build(ctx, request.apiKey!, existing.id, merged, existing);
    await ctx.storage.apiKeys.update(key);
    return { apiKey: apiKeyJson(key, { includeKey: true }) };
  };
  app.put('/api/api-key/:id', { config: CONFIG }, update);
  app.patch('/api/api-key/:id', { config: CONFIG }, update);

  app.delete<{ Params: { id: string } }>('/api/api-key/:id', { config: CONFIG }, async (request, reply) => {
    const key = await managed(request);
    if (key.id === request.apiKey!.id) fieldError('apiKey.id', 'invalid', 'A key cannot delete itself.');
    await ctx.storage.apiKeys.delete(key.id);
    return reply.code(200).send();
  });
}
