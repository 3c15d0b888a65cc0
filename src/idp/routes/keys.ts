/**
 * Keys API (Key Master) — `/api/key`: list, retrieve, generate, import, rename, delete. The private key
 * and the HMAC secret are stored but never returned (model/serialize.ts keyJson).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, notFound } from '../model/errors.js';
import { optionalString, requiredString, type Body } from '../model/input.js';
import { DEFAULT_ISSUER, DEFAULT_SIGNING_KEY_NAME } from '../model/defaults.js';
import { keyJson } from '../model/serialize.js';
import type { Key, KeyAlgorithm } from '../model/types.js';
import { KEY_ALGORITHMS, checkGenerateLength, generateKey, importKey, isKeyAlgorithm } from '../crypto/keys.js';
import { DuplicateError } from '../storage/index.js';
import { createId, pathId, wrapped } from './common.js';

/** The certificate issuer for new keys: the default tenant's issuer. */
async function defaultIssuer(ctx: IdpContext): Promise<string> {
  const id = await ctx.storage.getSetting('defaultTenantId');
  const tenant = id === undefined ? undefined : await ctx.storage.tenants.get(id);
  return tenant?.issuer ?? DEFAULT_ISSUER;
}

async function insertKey(ctx: IdpContext, key: Key): Promise<void> {
  try {
    await ctx.storage.keys.insert(key);
  } catch (error) {
    if (error instanceof DuplicateError) {
      if ((await ctx.storage.keys.get(key.id)) !== undefined) fieldError('key.id', 'duplicate', `A Key with Id [${key.id}] already exists.`);
      if ((await ctx.storage.keys.findOne({ kid: key.kid })) !== undefined) fieldError('key.kid', 'duplicate', `A Key with kid [${key.kid}] already exists.`);
      fieldError('key.name', 'duplicate', `A Key with name [${key.name}] already exists.`);
    }
    throw error;
  }
  ctx.keys.invalidate();
}

/** The HS256 "Default signing key" of new tenants, created once. */
export async function defaultSigningKeyId(ctx: IdpContext): Promise<string> {
  const stored = await ctx.storage.getSetting('defaultSigningKeyId');
  if (stored !== undefined && (await ctx.storage.keys.get(stored)) !== undefined) return stored;
  const existing = await ctx.storage.keys.findOne({ name: DEFAULT_SIGNING_KEY_NAME });
  const key = existing ?? (await generateKey({ id: randomUUID(), name: DEFAULT_SIGNING_KEY_NAME, now: ctx.now() }, { algorithm: 'HS256', issuer: DEFAULT_ISSUER }));
  if (existing === undefined) await insertKey(ctx, key);
  await ctx.storage.setSetting('defaultSigningKeyId', key.id);
  return key.id;
}

/**
 * Generates a key under `name`, or `name (2)`, `name (3)`... when the name is taken (FusionAuth's clash
 * suffix is UNCONFIRMED; docs/idp.md).
 */
export async function generateNamedKey(ctx: IdpContext, name: string, algorithm: KeyAlgorithm, issuer: string): Promise<Key> {
  let candidate = name;
  for (let n = 2; (await ctx.storage.keys.findOne({ name: candidate })) !== undefined; n++) candidate = `${name} (${n})`;
  const key = await generateKey({ id: randomUUID(), name: candidate, now: ctx.now() }, { algorithm, length: 2048, issuer });
  await insertKey(ctx, key);
  return key;
}

function keyFields(input: Body) {
  const errors = new ApiErrors();
  const name = requiredString(errors, input, 'name', 'key.name');
  const kid = optionalString(errors, input, 'kid', 'key.kid');
  const issuer = optionalString(errors, input, 'issuer', 'key.issuer');
  return { errors, name, kid: kid === '' ? undefined : kid, issuer: issuer === '' ? undefined : issuer };
}

export function registerKeyRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const endpoint = { endpoint: '/api/key' };

  app.get('/api/key', { config: endpoint }, async () => ({ keys: (await ctx.storage.keys.find()).map(keyJson) }));

  app.get<{ Params: { id: string } }>('/api/key/:id', { config: endpoint }, async (request) => {
    const key = await ctx.storage.keys.get(pathId(request.params.id));
    return key === undefined ? notFound() : { key: keyJson(key) };
  });

  const generate = async (request: FastifyRequest<{ Params: { id?: string } }>) => {
    const input = wrapped(request, 'key');
    const { errors, name, kid, issuer } = keyFields(input);
    const algorithm = input.algorithm;
    if (algorithm === undefined || algorithm === null || algorithm === '') errors.blank('key.algorithm');
    else if (!isKeyAlgorithm(algorithm)) errors.invalid('key.algorithm', `The [key.algorithm] property must be one of ${KEY_ALGORITHMS.join(', ')}.`);
    errors.throwIfAny();
    const length = checkGenerateLength(algorithm as KeyAlgorithm, input.length);
    const id = createId(request.params.id, input.id, 'key.id');
    const key = await generateKey(
      { id, name: name!, now: ctx.now() },
      { algorithm: algorithm as KeyAlgorithm, ...(length === undefined ? {} : { length }), issuer: issuer ?? (await defaultIssuer(ctx)), ...(kid === undefined ? {} : { kid }) },
    );
    await insertKey(ctx, key);
    return { key: keyJson(key) };
  };
  app.post('/api/key/generate', { config: { endpoint: '/api/key/generate' } }, generate);
  app.post('/api/key/generate/:id', { config: { endpoint: '/api/key/generate' } }, generate);

  const importRoute = async (request: FastifyRequest<{ Params: { id?: string } }>) => {
    const input = wrapped(request, 'key');
    const { errors, name, kid, issuer } = keyFields(input);
    errors.throwIfAny();
    const id = createId(request.params.id, input.id, 'key.id');
    const key = await importKey(
      { id, name: name!, now: ctx.now() },
      { algorithm: input.algorithm, publicKey: input.publicKey, privateKey: input.privateKey, certificate: input.certificate, secret: input.secret, issuer: issuer ?? (await defaultIssuer(ctx)), ...(kid === undefined ? {} : { kid }) },
    );
    await insertKey(ctx, key);
    return { key: keyJson(key) };
  };
  app.post('/api/key/import', { config: { endpoint: '/api/key/import' } }, importRoute);
  app.post('/api/key/import/:id', { config: { endpoint: '/api/key/import' } }, importRoute);

  app.put<{ Params: { id: string } }>('/api/key/:id', { config: endpoint }, async (request) => {
    const existing = await ctx.storage.keys.get(pathId(request.params.id));
    if (existing === undefined) return notFound();
    const { errors, name } = keyFields(wrapped(request, 'key'));
    errors.throwIfAny();
    const key: Key = { ...existing, name: name!, lastUpdateInstant: ctx.now() };
    try {
      await ctx.storage.keys.update(key);
    } catch (error) {
      if (error instanceof DuplicateError) fieldError('key.name', 'duplicate', `A Key with name [${key.name}] already exists.`);
      throw error;
    }
    ctx.keys.invalidate();
    return { key: keyJson(key) };
  });

  app.delete<{ Params: { id: string } }>('/api/key/:id', { config: endpoint }, async (request, reply) => {
    const key = await ctx.storage.keys.get(pathId(request.params.id));
    if (key === undefined) return notFound();
    const tenants = await ctx.storage.tenants.find();
    const applications = await ctx.storage.applications.find();
    const used = [...tenants.map((t) => t.jwtConfiguration), ...applications.map((a) => a.jwtConfiguration)].some(
      (c) => c.accessTokenKeyId === key.id || c.idTokenKeyId === key.id,
    );
    if (used || (await ctx.storage.getSetting('defaultSigningKeyId')) === key.id) {
      fieldError('keyId', 'inUse', 'The key is in use by a tenant or an application and cannot be deleted.');
    }
    await ctx.storage.keys.delete(key.id);
    ctx.keys.invalidate();
    return reply.code(200).send();
  });
}
