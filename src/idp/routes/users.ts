/** User API — `/api/user`: create, retrieve (by id, email, username, loginId), replace, patch, delete. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { fieldError, notFound } from '../model/errors.js';
import { assertImplementedFields } from '../http/not-implemented.js';
import { isUuid, mergePatch, type Body } from '../model/input.js';
import { userJson } from '../model/serialize.js';
import type { User } from '../model/types.js';
import { optionalTenant, requireTenant } from '../http/tenant.js';
import { buildUser, findByLoginId, saveUser } from '../services/users.js';
import { issueSession } from '../services/session.js';
import { twoFactorJson } from '../services/two-factor/methods.js';
import { startEmailVerification, userForVerificationId, verificationApplies } from '../services/email-verification.js';
import { userForChangePasswordId } from '../services/passwords.js';
import { bodyOf, createId, isTrue, pathId, query, wrapped } from './common.js';

const ENDPOINT = { endpoint: '/api/user' };
const CREATE_FIELDS: ReadonlySet<string> = new Set(['user', 'applicationId', 'skipVerification', 'disableDomainBlock', 'eventInfo']);
/** No set-password email (a template Gatehouse does not have): a create asking for it is refused, not created without it. */
const CREATE_UNIMPLEMENTED: ReadonlySet<string> = new Set(['sendSetPasswordEmail']);

export async function userResponse(ctx: IdpContext, user: User): Promise<Record<string, unknown>> {
  return userJson(user, await ctx.storage.registrations.find({ user_id: user.id }));
}

/** The user with this id if visible in the request's tenant scope; else 404. */
export async function findUser(ctx: IdpContext, request: FastifyRequest, id: string | undefined): Promise<User> {
  const user = await ctx.storage.users.get(pathId(id));
  const scope = (await optionalTenant(ctx, request))?.id;
  if (user === undefined || (scope !== undefined && scope !== user.tenantId)) return notFound();
  return user;
}

/** `loginIdTypes` of a loginId lookup (repeatable; default email and username); phone numbers are not implemented. */
export function loginIdTypes(request: FastifyRequest): string[] {
  const raw = (request.query as Record<string, string | string[] | undefined>).loginIdTypes;
  const types = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((t) => t !== '' && t !== 'null' && t !== 'undefined');
  if (types.length === 0) return ['email', 'username'];
  for (const type of types) {
    if (type === 'phoneNumber') fieldError('loginIdTypes', 'notImplemented', 'Gatehouse does not implement login by [phoneNumber].');
    if (type !== 'email' && type !== 'username') fieldError('loginIdTypes', 'invalid', 'The [loginIdTypes] values must be among email, phoneNumber, username.');
  }
  return types;
}

export function registerUserRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const create = async (request: FastifyRequest<{ Params: { id?: string } }>) => {
    const body = bodyOf(request);
    assertImplementedFields(body, '', CREATE_FIELDS, CREATE_UNIMPLEMENTED);
    const input = wrapped(request, 'user');
    const tenant = await requireTenant(ctx, request);
    const id = createId(request.params.id, input.id, 'user.id');
    if (body.skipVerification !== undefined && body.skipVerification !== null && typeof body.skipVerification !== 'boolean') fieldError('skipVerification', 'invalid', 'The [skipVerification] property must be true or false.');
    const user = await buildUser(ctx, tenant, id, input, { passwordOptional: body.sendSetPasswordEmail === true });
    const verify = body.skipVerification !== true && verificationApplies(tenant, user);
    if (verify) user.verified = false;
    await saveUser(ctx, user, true);
    const response: Record<string, unknown> = { user: userJson(user, []) };
    const applicationId = body.applicationId;
    const found = isUuid(applicationId) ? await ctx.storage.applications.get(applicationId.toLowerCase()) : undefined;
    const application = found !== undefined && found.tenantId === tenant.id ? found : undefined;
    if (application !== undefined) {
      const tokens = await issueSession(ctx, { tenant, application, user, authenticationType: 'USER_CREATE', refresh: false });
      response.token = tokens.token;
    }
    if (verify) response.emailVerificationId = await startEmailVerification(ctx, tenant, user, { send: true, ...(application === undefined ? {} : { application }) });
    return response;
  };
  app.post('/api/user', { config: ENDPOINT }, create);
  app.post('/api/user/:id', { config: ENDPOINT }, create);

  app.get('/api/user', { config: ENDPOINT }, async (request, reply) => {
    const q = query(request);
    if (q.verificationId !== undefined || q.changePasswordId !== undefined) {
      const found = q.changePasswordId !== undefined ? (await userForChangePasswordId(ctx, q.changePasswordId))?.user : await userForVerificationId(ctx, q.verificationId);
      const scope = (await optionalTenant(ctx, request))?.id;
      return found === undefined || (scope !== undefined && scope !== found.tenantId) ? notFound() : reply.send({ user: await userResponse(ctx, found) });
    }
    const [field, value] = q.email !== undefined ? ['email', q.email] : q.username !== undefined ? ['username', q.username] : ['loginId', q.loginId];
    if (value === undefined || value === '') return notFound();
    const types = field === 'loginId' ? loginIdTypes(request) : [field];
    const tenant = await requireTenant(ctx, request);
    const user = await findByLoginId(ctx, tenant.id, value, types);
    return user === undefined ? notFound() : { user: await userResponse(ctx, user) };
  });

  app.get<{ Params: { id: string } }>('/api/user/:id', { config: ENDPOINT }, async (request) => ({
    user: await userResponse(ctx, await findUser(ctx, request, request.params.id)),
  }));

  const update = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const existing = await findUser(ctx, request, request.params.id);
    const tenant = (await ctx.storage.tenants.get(existing.tenantId))!;
    if (isTrue(query(request).reactivate)) {
      const user = { ...existing, active: true, lastUpdateInstant: ctx.now() };
      await saveUser(ctx, user, false);
      return { user: await userResponse(ctx, user) };
    }
    const input = wrapped(request, 'user');
    const { passwordHash: _h, changePasswordId: _c, twoFactor: _t, ...visible } = existing;
    const methods = twoFactorJson(existing);
    if (methods !== undefined) (visible as Body).twoFactor = methods;
    const merged = request.method === 'PATCH' ? mergePatch(visible as Body, input) : input;
    // `active: false` deactivates, as DELETE without hardDelete does; reactivation is `?reactivate=true`
    const deactivate = existing.active && merged.active === false;
    const built = await buildUser(ctx, tenant, existing.id, merged, { existing });
    const user = deactivate ? { ...built, active: false } : built;
    const verify = verificationApplies(tenant, user, existing);
    if (verify) Object.assign(user, { verified: false, verifiedInstant: undefined });
    await saveUser(ctx, user, false);
    if (deactivate) {
      await ctx.storage.refreshTokens.deleteWhere({ user_id: user.id });
      await ctx.revocationEvents.userDeactivated(user);
    }
    return { user: await userResponse(ctx, user), ...(verify ? { emailVerificationId: await startEmailVerification(ctx, tenant, user, { send: true }) } : {}) };
  };
  app.put('/api/user/:id', { config: ENDPOINT }, update);
  app.patch('/api/user/:id', { config: ENDPOINT }, update);

  app.delete<{ Params: { id: string } }>('/api/user/:id', { config: ENDPOINT }, async (request, reply: FastifyReply) => {
    const user = await findUser(ctx, request, request.params.id);
    // `hardDelete` as a query parameter or in the body (the client's deleteUserWithRequest)
    const body = bodyOf(request);
    if (body.hardDelete !== undefined && typeof body.hardDelete !== 'boolean') fieldError('hardDelete', 'invalid', 'The [hardDelete] property must be true or false.');
    if (isTrue(query(request).hardDelete) || body.hardDelete === true) await ctx.storage.deleteUserCascade(user.id);
    else {
      await saveUser(ctx, { ...user, active: false, lastUpdateInstant: ctx.now() }, false);
      await ctx.storage.refreshTokens.deleteWhere({ user_id: user.id });
      await ctx.revocationEvents.userDeactivated(user);
    }
    return reply.code(200).send();
  });
}
