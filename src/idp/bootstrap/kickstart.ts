/**
 * Kickstart, FusionAuth's way of initialising a fresh instance from a JSON file:
 *
 *   { "variables": { "apiKey": "...", "appId": "#{UUID()}" },
 *     "apiKeys":   [ { "key": "#{apiKey}", "description": "...", "permissions": { "endpoints": { "/api/login": ["POST"] } } } ],
 *     "requests":  [ { "method": "POST", "url": "/api/application/#{appId}", "body": { "application": { ... } } } ] }
 *
 * `#{name}` is replaced in every string by a variable; `#{UUID()}` by a new UUID (once per occurrence in
 * `variables`, so a variable holds one value); `#{ENV.NAME}` by an environment variable;
 * `#{FUSIONAUTH_TENANT_ID}` is the default tenant. A request `body` of `"@{file.json}"` is read from a
 * file next to the kickstart file. Requests run in order against this server's own API with a superuser
 * key that exists only in memory; the first failure stops the start with the request's index.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { IdpContext } from '../context.js';
import { isObject, isUuid } from '../model/input.js';
import { randomToken } from '../crypto/secrets.js';
import { insertApiKey, newApiKey } from '../routes/index.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const VARIABLE = /#\{([^}]+)\}/g;

export interface KickstartFile {
  variables?: Record<string, unknown>;
  apiKeys?: { key: string; description?: string; tenantId?: string; keyManager?: boolean; permissions?: { endpoints?: Record<string, string[]> } }[];
  requests?: { method: string; url: string; body?: unknown; tenantId?: string }[];
}

function fail(message: string, cause?: unknown): never {
  throw new GatehouseError(ErrorCode.IDP_KICKSTART, `kickstart: ${message}`, cause === undefined ? undefined : { cause });
}

/** Reads and checks a kickstart file; every problem names its key path. */
export function loadKickstart(source: string | object): { file: KickstartFile; baseDir: string } {
  let raw: unknown = source;
  let baseDir = process.cwd();
  if (typeof source === 'string') {
    baseDir = dirname(resolve(source));
    let text: string;
    try {
      text = readFileSync(source, 'utf8');
    } catch (error) {
      fail(`cannot read ${source}: ${(error as Error).message}`, error);
    }
    try {
      raw = JSON.parse(text);
    } catch (error) {
      fail(`${source} is not valid JSON: ${(error as Error).message}`, error);
    }
  }
  if (!isObject(raw)) fail('the kickstart must be a JSON object');
  const problems: string[] = [];
  const file = raw as Record<string, unknown>;
  if (file.variables !== undefined && !isObject(file.variables)) problems.push('variables: must be an object');
  if (file.apiKeys !== undefined && !Array.isArray(file.apiKeys)) problems.push('apiKeys: must be an array');
  (Array.isArray(file.apiKeys) ? file.apiKeys : []).forEach((k: unknown, i) => {
    if (!isObject(k)) problems.push(`apiKeys[${i}]: must be an object`);
    else if (typeof k.key !== 'string' || k.key.length === 0) problems.push(`apiKeys[${i}].key: must be a non-empty string`);
    else if (k.permissions !== undefined && !isObject(k.permissions)) problems.push(`apiKeys[${i}].permissions: must be an object`);
    else if (isObject(k.permissions) && k.permissions.endpoints !== undefined) {
      const endpoints = k.permissions.endpoints;
      if (!isObject(endpoints)) problems.push(`apiKeys[${i}].permissions.endpoints: must be an object`);
      else
        for (const [endpoint, methods] of Object.entries(endpoints)) {
          if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || !METHODS.includes(m.toUpperCase()))) {
            problems.push(`apiKeys[${i}].permissions.endpoints["${endpoint}"]: must be a list of ${METHODS.join(', ')}`);
          }
        }
    }
  });
  if (file.requests !== undefined && !Array.isArray(file.requests)) problems.push('requests: must be an array');
  (Array.isArray(file.requests) ? file.requests : []).forEach((r: unknown, i) => {
    if (!isObject(r)) problems.push(`requests[${i}]: must be an object`);
    else {
      if (typeof r.method !== 'string' || !METHODS.includes(r.method.toUpperCase())) problems.push(`requests[${i}].method: must be one of ${METHODS.join(', ')}`);
      if (typeof r.url !== 'string' || !r.url.startsWith('/')) problems.push(`requests[${i}].url: must be a path starting with /`);
    }
  });
  if (problems.length > 0) fail(`invalid kickstart:\n  ${problems.join('\n  ')}`);
  return { file: file as KickstartFile, baseDir };
}

function substitute(value: unknown, variables: Record<string, string>, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_m, name: string) => {
      if (name === 'UUID()') return randomUUID();
      if (name.startsWith('ENV.')) {
        const env = process.env[name.slice(4)];
        if (env === undefined) fail(`${where}: the environment variable ${name.slice(4)} is not set`);
        return env;
      }
      const v = variables[name];
      if (v === undefined) fail(`${where}: unknown variable #{${name}}`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, variables, `${where}[${i}]`));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, variables, `${where}.${k}`);
    return out;
  }
  return value;
}

function errorSummary(body: string): string {
  try {
    const parsed = JSON.parse(body) as { fieldErrors?: Record<string, { code: string; message: string }[]>; generalErrors?: { code: string; message: string }[] };
    const all = [...Object.values(parsed.fieldErrors ?? {}).flat(), ...(parsed.generalErrors ?? [])];
    return all.map((e) => `${e.code} ${e.message}`).join('; ');
  } catch {
    return '';
  }
}

export async function runKickstart(ctx: IdpContext, app: FastifyInstance, source: string | object, builtins: Record<string, string>): Promise<void> {
  const { file, baseDir } = loadKickstart(source);
  const variables: Record<string, string> = { ...builtins };
  for (const [name, value] of Object.entries(file.variables ?? {})) {
    variables[name] = String(substitute(typeof value === 'string' ? value : JSON.stringify(value), variables, `variables.${name}`));
  }
  const now = ctx.now();
  for (const [i, raw] of (file.apiKeys ?? []).entries()) {
    const spec = substitute(raw, variables, `apiKeys[${i}]`) as NonNullable<KickstartFile['apiKeys']>[number];
    if (spec.tenantId !== undefined && !isUuid(spec.tenantId)) fail(`apiKeys[${i}].tenantId: must be a UUID`);
    await insertApiKey(
      ctx,
      newApiKey(now, spec.key, {
        keyManager: spec.keyManager ?? spec.permissions?.endpoints === undefined,
        permissions: { endpoints: Object.fromEntries(Object.entries(spec.permissions?.endpoints ?? {}).map(([e, m]) => [e, m.map((x) => x.toUpperCase())])) },
        metaData: { attributes: spec.description === undefined ? {} : { description: spec.description } },
        ...(spec.tenantId === undefined ? {} : { tenantId: spec.tenantId.toLowerCase() }),
      }),
    ).catch((error: unknown) => fail(`apiKeys[${i}]: ${(error as Error).message}`, error));
  }
  ctx.internalKey = randomToken(48);
  try {
    for (const [i, raw] of (file.requests ?? []).entries()) {
      const request = substitute(raw, variables, `requests[${i}]`) as NonNullable<KickstartFile['requests']>[number];
      let body = request.body;
      if (typeof body === 'string' && body.startsWith('@{') && body.endsWith('}')) {
        const path = resolve(baseDir, body.slice(2, -1));
        try {
          body = substitute(JSON.parse(readFileSync(path, 'utf8')), variables, `requests[${i}].body`);
        } catch (error) {
          if (error instanceof GatehouseError) throw error;
          fail(`requests[${i}].body: cannot read ${path}: ${(error as Error).message}`, error);
        }
      }
      const method = request.method.toUpperCase() as 'GET';
      const response = await app.inject({
        method,
        url: request.url,
        headers: {
          authorization: ctx.internalKey,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(request.tenantId === undefined ? {} : { 'x-fusionauth-tenantid': request.tenantId }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      if (response.statusCode >= 300) {
        const summary = errorSummary(response.body);
        fail(`requests[${i}] (${method} ${request.url.split('?')[0]}) failed with HTTP ${response.statusCode}${summary === '' ? '' : `: ${summary}`}`);
      }
    }
  } finally {
    ctx.internalKey = undefined;
  }
}
