/**
 * Change password — `/api/user/change-password`, FusionAuth's three forms:
 *
 * - `POST /api/user/change-password/{changePasswordId}` (or the id in the body), no authentication: the
 *   id a login answered 203 with (`passwordChangeRequired`). `GET .../{changePasswordId}` checks it (200 or
 *   404).
 * - `POST /api/user/change-password` with an API key: `{loginId, password, currentPassword?}`; a wrong
 *   `currentPassword` is 400 `[invalid]currentPassword`.
 * - `POST /api/user/change-password` with `Authorization: Bearer <access token>`: `{currentPassword,
 *   password}`; a wrong current password is 404.
 *
 * The new password follows the tenant's rules (`[tooShort]password`, `[tooLong]password`); on success the
 * change is required no more, the change-password id is spent and every refresh token of the user is
 * revoked (FusionAuth's default `refreshTokenRevocationPolicy.onPasswordChanged`). 200 with an empty body:
 * the `oneTimePassword` FusionAuth returns is not implemented (nor is the login with it). Unknown ids and
 * users are 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, notFound, unauthorized } from '../model/errors.js';
import { optionalString } from '../model/input.js';
import type { User } from '../model/types.js';
import { assertImplementedFields } from '../http/not-implemented.js';
import { requireTenant } from '../http/tenant.js';
import { findByLoginId } from '../services/users.js';
import { bodyOf } from './common.js';
import { bearerToken } from './jwt.js';

const ENDPOINT = { endpoint: '/api/user/change-password', auth: 'optional' as const };
const FIELDS: ReadonlySet<string> = new Set(['changePasswordId', 'loginId', 'loginIdTypes', 'password', 'currentPassword', 'applicationId']);
const UNIMPLEMENTED: ReadonlySet<string> = new Set(['trustToken', 'trustChallenge', 'refreshToken']);

async function byChangePasswordId(ctx: IdpContext, id: string): Promise<User | undefined> {
  // not an indexed column: a scan, as rare as password changes are
  return (await ctx.storage.users.find()).find((u) => u.changePasswordId === id && u.passwordChangeRequired);
}

async function setPassword(ctx: IdpContext, user: User, password: string): Promise<void> {
  const tenant = (await ctx.storage.tenants.get(user.tenantId))!;
  const rules = tenant.passwordValidationRules;
  if (password.length < rules.minLength) fieldError('password', 'tooShort', `The [password] property is shorter than the minimum of [${rules.minLength}] characters.`);
  if (password.length > rules.maxLength) fieldError('password', 'tooLong', `The [password] property is longer than the maximum of [${rules.maxLength}] characters.`);
  const now = ctx.now();
  const { changePasswordId: _spent, ...rest } = user;
  const next: User = { ...rest, passwordHash: await ctx.passwords.hash(password), passwordLastUpdateInstant: now, passwordChangeRequired: false, lastUpdateInstant: now };
  if (!(await ctx.storage.users.updateIfUnchanged(user, next))) fieldError('password', 'conflict', 'The user changed meanwhile; try again.');
  await ctx.storage.refreshTokens.deleteWhere({ user_id: user.id });
  await ctx.revocationEvents.userRevoked(user);
}

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
      user = await byChangePasswordId(ctx, id);
      if (user === undefined) return notFound();
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
    await setPassword(ctx, user, password!);
    return reply.code(200).send();
  };
  app.post('/api/user/change-password', { config: ENDPOINT }, change);
  app.post('/api/user/change-password/:changePasswordId', { config: { auth: 'none' } }, change);
  app.get<{ Params: { changePasswordId: string } }>('/api/user/change-password/:changePasswordId', { config: { auth: 'none' } }, async (request, reply) =>
    (await byChangePasswordId(ctx, request.params.changePasswordId)) === undefined ? notFound() : reply.code(200).send(),
  );
}
