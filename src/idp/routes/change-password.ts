/**
 * Change password — `/api/user/change-password`, FusionAuth's forms:
 *
 * - `POST /api/user/change-password/{changePasswordId}` (or the id in the body, which wins), no
 *   authentication: an id from forgot password (emailed, or returned to an API-key caller) or the one a
 *   login answered 203 with (`passwordChangeRequired`); all are single use and stored hashed. `GET .../{changePasswordId}` checks it (200 or
 *   404) without using it. The id is spent by the change (single use); a password the tenant's rules
 *   refuse does not spend it.
 * - `POST /api/user/change-password` with an API key: `{loginId, password, currentPassword?}`; a wrong
 *   `currentPassword` is 400 `[invalid]currentPassword`.
 * - `POST /api/user/change-password` with `Authorization: Bearer <access token>`: `{currentPassword,
 *   password}`; a wrong current password is 404.
 * - `GET /api/user/change-password` with a Bearer token, or with an API key and `?loginId=`: whether a
 *   change may proceed without a two-factor trust token — always 200 (two-factor is not implemented here),
 *   401/404 for a bad token or an unknown user.
 *
 * The new password follows the tenant's rules (services/password-rules.ts); on success the change is
 * required no more, every change-password id of the user is spent and the user's sessions are revoked
 * (services/passwords.ts). 200 with an empty body, or `{"state"}` when the forgot-password request carried
 * one: the `oneTimePassword` FusionAuth returns is not implemented (nor is the login with it). Unknown or
 * expired ids and unknown users are 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, notFound, unauthorized } from '../model/errors.js';
import { optionalString } from '../model/input.js';
import type { User } from '../model/types.js';
import { assertImplementedFields } from '../http/not-implemented.js';
import { requireTenant } from '../http/tenant.js';
import { findByLoginId } from '../services/users.js';
import { setPassword, userForChangePasswordId } from '../services/passwords.js';
import { passwordProblems } from '../services/password-rules.js';
import { consumeUserCode } from '../services/user-codes.js';
import { bodyOf, query } from './common.js';
import { bearerToken } from './jwt.js';
import { loginIdTypes } from './users.js';

const ENDPOINT = { endpoint: '/api/user/change-password', auth: 'optional' as const };
const BY_ID = { auth: 'none' as const, opaqueIds: true };
const FIELDS: ReadonlySet<string> = new Set(['changePasswordId', 'loginId', 'loginIdTypes', 'password', 'currentPassword', 'applicationId']);
const UNIMPLEMENTED: ReadonlySet<string> = new Set(['trustToken', 'trustChallenge', 'refreshToken']);

export function registerChangePasswordRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const change = async (request: FastifyRequest<{ Params: { changePasswordId?: string } }>, reply: FastifyReply) => {
    const body = bodyOf(request);
    assertImplementedFields(body, '', FIELDS, UNIMPLEMENTED);
    const errors = new ApiErrors();
    const password = optionalString(errors, body, 'password', 'password');
    const current = optionalString(errors, body, 'currentPassword', 'currentPassword');
    const loginId = optionalString(errors, body, 'loginId', 'loginId');
    const bodyId = optionalString(errors, body, 'changePasswordId', 'changePasswordId');
    if (password === undefined || password === '') errors.blank('password');
    errors.throwIfAny();
    const id = bodyId ?? request.params.changePasswordId;
    let user: User | undefined;
    if (id !== undefined) {
      const found = await userForChangePasswordId(ctx, id);
      if (found === undefined || !found.user.active) return notFound();
      const tenant = (await ctx.storage.tenants.get(found.user.tenantId))!;
      const problems = passwordProblems(tenant, password!, 'password');
      if (problems.length > 0) return fieldError('password', problems[0]!.reason, problems[0]!.message);
      // spend the id first: of two concurrent uses, one wins
      if (found.user.changePasswordId !== id && (await consumeUserCode(ctx, 'changePassword', id)) === undefined) return notFound();
      await setPassword(ctx, found.user, password!, { field: 'password', ...(found.emailedTo === undefined ? {} : { emailedTo: found.emailedTo }) });
      return found.state === undefined ? reply.code(200).send() : reply.code(200).send({ state: found.state });
    } else if (request.apiKey !== undefined) {
      if (loginId === undefined) return fieldError('loginId', 'blank', 'You must specify the [loginId] property.');
      user = await findByLoginId(ctx, (await requireTenant(ctx, request)).id, loginId);
      if (user === undefined) return notFound();
      if (current !== undefined && (user.passwordHash === undefined || !(await ctx.passwords.verify(user.passwordHash, current)))) {
        return fieldError('currentPassword', 'invalid', 'The [currentPassword] is not the current password.');
      }
    } else {
      const token = bearerToken(request);
      const claims = token === undefined ? undefined : await ctx.keys.verify(token);
      if (typeof claims?.sub !== 'string') return unauthorized();
      if (current === undefined) return fieldError('currentPassword', 'blank', 'You must specify the [currentPassword] property.');
      user = await ctx.storage.users.get(claims.sub);
      if (user === undefined || user.passwordHash === undefined || !(await ctx.passwords.verify(user.passwordHash, current))) return notFound();
    }
    if (!user.active) return notFound();
    await setPassword(ctx, user, password!, { field: 'password' });
    return reply.code(200).send();
  };
  app.post('/api/user/change-password', { config: ENDPOINT }, change);
  app.post('/api/user/change-password/:changePasswordId', { config: BY_ID }, change);
  app.get<{ Params: { changePasswordId: string } }>('/api/user/change-password/:changePasswordId', { config: BY_ID }, async (request, reply) => {
    const found = await userForChangePasswordId(ctx, request.params.changePasswordId);
    return found === undefined || !found.user.active ? notFound() : reply.code(200).send();
  });
  app.get('/api/user/change-password', { config: ENDPOINT }, async (request, reply) => {
    const q = query(request);
    if (request.apiKey !== undefined && q.loginId !== undefined) {
      const user = await findByLoginId(ctx, (await requireTenant(ctx, request)).id, q.loginId, loginIdTypes(request));
      return user === undefined ? notFound() : reply.code(200).send();
    }
    const token = bearerToken(request);
    const claims = token === undefined ? undefined : await ctx.keys.verify(token);
    if (typeof claims?.sub !== 'string') return unauthorized();
    return (await ctx.storage.users.get(claims.sub)) === undefined ? notFound() : reply.code(200).send();
  });
}
