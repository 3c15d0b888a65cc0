/**
 * Parameters of OAuth requests: `application/x-www-form-urlencoded` bodies and query strings. Every
 * parameter may appear at most once (RFC 6749 §3.1); a repeated one is `invalid_request`. Values are
 * bounded so a hostile request cannot make us store or render megabytes.
 */
import { invalidRequest } from './errors.js';

export type Params = ReadonlyMap<string, string>;

const MAX_VALUE = 4096;

export function parseParams(text: string): Params {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (params.has(name)) invalidRequest('invalid_request', `The parameter [${name.slice(0, 64)}] was given more than once.`);
    if (value.length > MAX_VALUE) invalidRequest('invalid_request', `The parameter [${name.slice(0, 64)}] is too long.`);
    params.set(name, value);
  }
  return params;
}

/** The query string of a request URL as Params. */
export function queryParams(url: string): Params {
  const q = url.indexOf('?');
  return parseParams(q < 0 ? '' : url.slice(q + 1));
}

/** A parameter, with empty values counting as absent. */
export function param(params: Params, name: string): string | undefined {
  const value = params.get(name);
  return value === undefined || value === '' ? undefined : value;
}

export function requiredParam(params: Params, name: string): string {
  const value = param(params, name);
  return value ?? invalidRequest(`missing_${name}`, `The request is missing the required parameter [${name}].`);
}
