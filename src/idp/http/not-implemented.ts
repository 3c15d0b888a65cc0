/**
 * What Gatehouse does not implement is refused, never accepted and dropped, never mistaken for something
 * else:
 *
 * - an endpoint: 404 with an empty body, FusionAuth's answer for a path it has no API at. A path segment
 *   where a route expects an id but that is not a UUID (`/api/user/search`, `/api/user/verify-email`) is
 *   such an endpoint: it is answered before the API key check, so it is never mistaken for a user create
 *   (400 "You must specify the [user] property") or a 401.
 * - a FusionAuth field: 400 `[notImplemented]<path>` naming it (`refuseUnimplementedFields`).
 *
 * The log line of a refused endpoint carries `notImplemented: true`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors, ValidationError } from '../model/errors.js';
import { UUID, isObject, type Body } from '../model/input.js';

declare module 'fastify' {
  interface FastifyRequest {
    notImplemented?: boolean;
  }
  interface FastifyContextConfig {
    /** The route's path parameter is an opaque one-time id (a change-password or verification id), not a UUID. */
    opaqueIds?: boolean;
  }
}

/** Answers 404 with an empty body and marks the request as a not-implemented endpoint. */
export function refuseEndpoint(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.notImplemented = true;
  return reply.code(404).send();
}

/** Route parameters that are opaque tokens, not UUIDs (FusionAuth's `twoFactorTrustId`). */
const TOKEN_PARAMS: ReadonlySet<string> = new Set(['twoFactorTrustId']);

/** True when every path parameter of the matched `/api/` route is a UUID (all our route parameters are ids, but TOKEN_PARAMS). */
export function pathIdsAreUuids(request: FastifyRequest): boolean {
  if (request.routeOptions.config.opaqueIds === true) return true;
  const params = request.params as Record<string, string> | undefined;
  if (params === undefined) return true;
  for (const name in params) if (!TOKEN_PARAMS.has(name) && !UUID.test(params[name] ?? '')) return false;
  return true;
}

/** True for null, `[]`, `{}`, `false`, `""` and objects holding only such values: a field that asks for nothing. */
function asksNothing(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every(asksNothing);
  return false;
}

/**
 * Refuses the members of `input` named in `unimplemented` that ask for something (a two-factor method, a
 * group membership...), as `[notImplemented]<prefix>.<name>`; empty values (what a retrieve echoes back)
 * pass. Members in neither `known` nor `unimplemented` are refused as `[unknown]<prefix>.<name>`.
 */
export function refuseUnimplementedFields(input: Body, prefix: string, known: ReadonlySet<string>, unimplemented: ReadonlySet<string>, errors = new ApiErrors()): ApiErrors {
  for (const name of Object.keys(input)) {
    if (known.has(name)) continue;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (unimplemented.has(name)) {
      if (!asksNothing(input[name])) errors.field(path, 'notImplemented', `Gatehouse does not implement [${path}]; remove it from the request (see docs/idp.md, "Not implemented").`);
    } else {
      errors.field(path, 'unknown', `The [${path}] property is not a property of this request.`);
    }
  }
  return errors;
}

/** Throws the 400 of `refuseUnimplementedFields` when it found anything. */
export function assertImplementedFields(input: Body, prefix: string, known: ReadonlySet<string>, unimplemented: ReadonlySet<string>): void {
  const errors = refuseUnimplementedFields(input, prefix, known, unimplemented);
  if (!errors.empty) throw new ValidationError(errors);
}
