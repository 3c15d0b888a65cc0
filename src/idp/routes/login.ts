/**
 * `POST /api/login` as FusionAuth answers it (and as the seed calls it: raw `Authorization: <API key>`).
 * An API key is required unless the application (or, without applicationId, the tenant) has
 * `loginConfiguration.requireAuthentication=false`; an unknown applicationId also passes the key check.
 * Statuses: 200, 202 (not registered), 203 (password change), 242 (second factor needed: `twoFactorId`
 * and `methods`, unless a valid `twoFactorTrustId` is presented), 400, 401, 404 (unknown user or wrong
 * password, empty body), 410 (expired), 423 (locked).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, notFound, StatusError, unauthorized } from '../model/errors.js';
import { isObject, isUuid, optionalBoolean, optionalString, optionalStringArray, requiredString } from '../model/input.js';
import type { Application, Registration, Tenant, User } from '../model/types.js';
import { requestedTenantId, requireTenant } from '../http/tenant.js';
import { authenticatePassword } from '../services/login.js';
import { issueSession, setSessionCookies } from '../services/session.js';
import { appendCookie, challengeIfNeeded, presentedTrust } from '../services/two-factor/index.js';
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
    const trustId = optionalString(errors, body, 'twoFactorTrustId', 'twoFactorTrustId');
    errors.throwIfAny();

    const outcome = await authenticatePassword(ctx, tenant, application, loginId!, password!, types);
    if (!('user' in outcome)) throw new StatusError(outcome.status);
    const metaData = isObject(body.metaData) ? body.metaData : undefined;
    const trust = presentedTrust(request, trustId);
    // 242 comes first among the statuses of a right password (then 203, 202, 200), as in FusionAuth
    const challenge = await challengeIfNeeded(ctx, {
      tenant,
      ...(application === undefined ? {} : { application }),
      user: outcome.user,
      purpose: 'api',
      ...(trust === undefined ? {} : { trustId: trust }),
      noJWT,
      ...(metaData === undefined ? {} : { metaData }),
    });
    if (challenge !== undefined) return reply.code(242).send(challenge);
    const registration = 'registration' in outcome ? outcome.registration : undefined;
    return answerLogin(ctx, request, reply, { tenant, application, user: outcome.user, registration, noJWT, metaData, authenticationType: 'PASSWORD' });
  });
}

export interface LoginAnswer {
  tenant: Tenant;
  application: Application | undefined;
  user: User;
  registration: Registration | undefined;
  noJWT: boolean;
  metaData: Record<string, unknown> | undefined;
  authenticationType: string;
  /** Extra members of a 200/202 body (`twoFactorTrustId`). */
  extra?: Record<string, unknown>;
  /** Extra Set-Cookie values (`fusionauth.trust`). */
  cookies?: string[];
}

/**
 * The Login API's answer for an authenticated user (after the password, or after the second factor):
 * 203 when a password change is required, else tokens with 200, or 202 when not registered for the
 * application.
 */
export async function answerLogin(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, answer: LoginAnswer): Promise<FastifyReply> {
  const { tenant, application } = answer;
  if (answer.user.passwordChangeRequired) {
    return reply.code(203).send({ changePasswordId: answer.user.changePasswordId, changePasswordReason: 'Administrative' });
  }
  const status = application !== undefined && answer.registration === undefined ? 202 : 200;
  const now = ctx.now();
  // Optimistic: a concurrent change to the user (say, a new password) wins over lastLoginInstant.
  const user: User = { ...answer.user, lastLoginInstant: now };
  await ctx.storage.users.updateIfUnchanged(answer.user, user);
  if (answer.registration !== undefined) await ctx.storage.registrations.updateIfUnchanged(answer.registration, { ...answer.registration, lastLoginInstant: now });
  const tokens = await issueSession(ctx, {
    tenant,
    ...(application === undefined ? {} : { application }),
    user,
    ...(answer.registration === undefined ? {} : { registration: answer.registration }),
    authenticationType: answer.authenticationType,
    noJWT: answer.noJWT,
    ...(answer.metaData === undefined ? {} : { metaData: answer.metaData }),
  });
  setSessionCookies(request, reply, tokens, tenant, application);
  for (const value of answer.cookies ?? []) appendCookie(reply, value);
  return reply.code(status).send({ ...tokens, user: await userResponse(ctx, user), ...answer.extra });
}
