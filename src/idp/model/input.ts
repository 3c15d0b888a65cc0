/** Small readers for request bodies: each checks one field's type and records a FusionAuth field error. */
import type { ApiErrors } from './errors.js';

export type Body = Record<string, unknown>;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `body[name]`, or an empty object when absent; a non-object records `[invalid]`. */
export function objectAt(errors: ApiErrors, body: Body, name: string, path: string): Body {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    errors.invalid(path, `The [${path}] property must be an object.`);
    return {};
  }
  return value;
}

export function optionalString(errors: ApiErrors, body: Body, name: string, path: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors.invalid(path, `The [${path}] property must be a string.`);
    return undefined;
  }
  return value;
}

export function requiredString(errors: ApiErrors, body: Body, name: string, path: string, message?: string): string | undefined {
  const value = optionalString(errors, body, name, path);
  if (value === undefined || value.trim() === '') {
    if (errors.fieldErrors[path] === undefined) errors.blank(path, message);
    return undefined;
  }
  return value;
}

export function optionalBoolean(errors: ApiErrors, body: Body, name: string, path: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    errors.invalid(path, `The [${path}] property must be true or false.`);
    return undefined;
  }
  return value;
}

export function optionalInteger(errors: ApiErrors, body: Body, name: string, path: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    errors.invalid(path, `The [${path}] property must be a whole number from ${min} to ${max}.`);
    return undefined;
  }
  return value;
}

export function optionalUuid(errors: ApiErrors, body: Body, name: string, path: string): string | undefined {
  const value = optionalString(errors, body, name, path);
  if (value !== undefined && !isUuid(value)) {
    errors.invalid(path, `The [${path}] property must be a UUID.`);
    return undefined;
  }
  return value?.toLowerCase();
}

export function optionalEnum<T extends string>(errors: ApiErrors, body: Body, name: string, path: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(errors, body, name, path);
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    errors.invalid(path, `The [${path}] property must be one of ${allowed.join(', ')}.`);
    return undefined;
  }
  return value as T | undefined;
}

export function optionalStringArray(errors: ApiErrors, body: Body, name: string, path: string): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    errors.invalid(path, `The [${path}] property must be an array of strings.`);
    return undefined;
  }
  return value as string[];
}

/** Deep merge for PATCH: objects merge, everything else (arrays too) replaces; null removes. */
export function mergePatch(target: Body, patch: Body): Body {
  const out: Body = { ...target };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete out[name];
    else if (isObject(value) && isObject(out[name])) out[name] = mergePatch(out[name] as Body, value);
    else out[name] = value;
  }
  return out;
}
