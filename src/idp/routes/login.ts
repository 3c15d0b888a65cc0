/**
 * `POST /api/login` as FusionAuth answers it (and as the seed calls it: raw `Authorization: <API key>`).
 * An API key is required unless the application (or, without applicationId, the tenant) has
 * `loginConfiguration.requireAuthentication=false`; an unknown applicationId also passes the key check.
 * Statuses: 200, 202 (not registered), 203 (password change), 400, 401, 404 (unknown user or wrong
 * password, empty body), 410 (expired), 423 (locked).
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, notFound, StatusError, unauthorized } from '../model/errors.js';
import { isObject, isUuid, optionalBoolean, optionalStringArray, requiredString } from '../model/input.js';
import type { Application, Tenant, User } from '../model/types.js';
import { requestedTenantId, requireTenant } from '../http/tenant.js';
import { authenticatePassword } from '../services/login.js';
import { issueSession, setSessionCookies } from '../services/session.js';
import { bodyOf } from './common.js';
import { userResponse } from './users.js';

const LOGIN_ID_TYPES = ['email', 'phoneNumber', 'username'];

export function registerLoginRoutes(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/api/login', { config: { endpoint: '/api/login', auth: 'optional' } }, async (request, reply) => {
    const body = bodyOf(request);
    const applicationIdValue = body.applicationId;
    const application: Application | undefined = isUuid(applicationIdValue) ? await ctx.storage.applications.get(applicationIdValue.toLowerCase()) : undefined;
    const headerTenant = requestedTenantId(request);
    let tenant: Tenant;
    if (application !== undefined) {
      if (headerTenant !== undefined && headerTenant !== application.tenantId) return notFound();
      tenant = (await ctx.storage.tenants.get(application.tenantId))!;
    } else {
      // Without a key, an undeterminable tenant is an authentication failure first (401), as in FusionAuth.
      tenant = await requireTenant(ctx, request).catch((error: unknown) => (request.apiKey === undefined ? unauthorized() : Promise.reject(error)));
    }
    const keyRequired =
      applicationIdValue !== undefined && applicationIdValue !== null ? application?.loginConfiguration.requireAuthentication ?? false : tenant.loginConfiguration.requireAuthentication;
    if (keyRequired && request.apiKey === undefined) return unauthorized();

    const errors = new ApiErrors();
    const loginId = requiredString(errors, body, 'loginId', 'loginId');
    const password = requiredString(errors, body, 'password', 'password');
    const noJWT = optionalBoolean(errors, body, 'noJWT', 'noJWT') ?? false;
    const types = optionalStringArray(errors, body, 'loginIdTypes', 'loginIdTypes');
    if (types?.some((t) => !LOGIN_ID_TYPES.includes(t))) errors.invalid('loginIdTypes', `The [loginIdTypes] values must be among ${LOGIN_ID_TYPES.join(', ')}.`);
    if (applicationIdValue !== undefined && applicationIdValue !== null && !isUuid(applicationIdValue)) errors.invalid('applicationId', 'The [applicationId] property must be a UUID.');
    if (body.metaData !== undefined && body.metaData !== null && !isObject(body.metaData)) errors.invalid('metaData', 'The [metaData] property must be an object.');
    errors.throwIfAny();

    const outcome = await authenticatePassword(ctx, tenant, application, loginId!, password!, types);
    if (!('user' in outcome)) throw new StatusError(outcome.status);
    if (outcome.status === 203) {
      return reply.code(203).send({ changePasswordId: outcome.user.changePasswordId, changePasswordReason: 'Administrative' });
    }
    const now = ctx.now();
    // Optimistic: a concurrent change to the user (say, a new password) wins over lastLoginInstant.
    const user: User = { ...outcome.user, lastLoginInstant: now };
    await ctx.storage.users.updateIfUnchanged(outcome.user, user);
    if (outcome.registration !== undefined) await ctx.storage.registrations.updateIfUnchanged(outcome.registration, { ...outcome.registration, lastLoginInstant: now });
    const metaData = isObject(body.metaData) ? body.metaData : undefined;
    const tokens = await issueSession(ctx, {
      tenant,
      ...(application === undefined ? {} : { application }),
      user,
      ...(outcome.registration === undefined ? {} : { registration: outcome.registration }),
      authenticationType: 'PASSWORD',
      noJWT,
      ...(metaData === undefined ? {} : { metaData }),
    });
    setSessionCookies(request, reply, tokens, tenant, application);
    return reply.code(outcome.status).send({ ...tokens, user: await userResponse(ctx, user) });
  });
}
