/** Helpers shared by the route files. */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { fieldError, generalError, notFound } from '../model/errors.js';
import { isObject, isUuid, type Body } from '../model/input.js';

/** The request body as an object (an absent body is `{}`); anything else is 400. */
export function bodyOf(request: FastifyRequest): Body {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (!isObject(body)) return generalError('[invalidJSON]', 'The request body must be a JSON object.');
  return body;
}

/** `body[name]` as an object; missing → `[blank]name`. */
export function wrapped(request: FastifyRequest, name: string): Body {
  const body = bodyOf(request);
  const value = body[name];
  if (value === undefined || value === null) fieldError(name, 'blank', `You must specify the [${name}] property.`);
  if (!isObject(value)) fieldError(name, 'invalid', `The [${name}] property must be an object.`);
  return value as Body;
}

/** A path id: must be a UUID, else 404 (FusionAuth cannot find what it cannot parse). */
export function pathId(value: string | undefined): string {
  if (!isUuid(value)) return notFound();
  return value.toLowerCase();
}

/** The id of a create: the path id, or the body's `id`, or a new UUID. */
export function createId(pathValue: string | undefined, bodyValue: unknown, field: string): string {
  const value = pathValue ?? bodyValue;
  if (value === undefined || value === null || value === '') return randomUUID();
  if (!isUuid(value)) fieldError(field, 'invalid', `The [${field}] property must be a UUID.`);
  return (value as string).toLowerCase();
}

/**
 * The query parameters, first value each. FusionAuth's TypeScript client sends absent arguments as the
 * strings "null"/"undefined" (`revokeRefreshToken(null, userId)` → `?token=null&userId=...`); those and
 * empty values count as not given.
 */
export function query(request: FastifyRequest): Record<string, string | undefined> {
  const q = request.query as Record<string, string | string[] | undefined>;
  const out: Record<string, string | undefined> = {};
  for (const [name, raw] of Object.entries(q ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined && value !== '' && value !== 'null' && value !== 'undefined') out[name] = value;
  }
  return out;
}

export function isTrue(value: string | undefined): boolean {
  return value === 'true';
}

/** Drops `null` members at the top level, so a client sending `"x": null` means "not given". */
export function withoutNulls(body: Body): Body {
  const out: Body = {};
  for (const [name, value] of Object.entries(body)) if (value !== null && value !== undefined) out[name] = value;
  return out;
}

/** Input over defaults: top-level members replace, object members merge one level deep; nulls are ignored. */
export function overDefaults(base: Body, input: Body): Body {
  const out: Body = { ...base };
  for (const [name, value] of Object.entries(withoutNulls(input))) {
    out[name] = isObject(value) && isObject(base[name]) ? { ...(base[name] as Body), ...withoutNulls(value) } : value;
  }
  return out;
}
