/**
 * Registration API — `/api/user/registration`: register an existing user, the combined user + registration
 * create (a body with `user` selects it), retrieve, update, delete. Without roles a registration gets the
 * application's default roles; unknown role names are rejected.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, notFound } from '../model/errors.js';
import { isObject, isUuid, optionalString, optionalStringArray, type Body } from '../model/input.js';
import { registrationJson, userJson } from '../model/serialize.js';
import type { Application, Registration, User } from '../model/types.js';
import { requestedTenantId } from '../http/tenant.js';
import { DuplicateError, type Storage } from '../storage/index.js';
import { currentRoles } from '../services/roles.js';
import { assertImplementedFields, refuseUnimplementedFields } from '../http/not-implemented.js';
import { buildUser, saveUser } from '../services/users.js';
import { issueSession } from '../services/session.js';
import { bodyOf, createId, wrapped } from './common.js';
import { findUser } from './users.js';
import { startEmailVerification, verificationApplies } from '../services/email-verification.js';
import { registrationVerificationApplies, startRegistrationVerification, unverified } from '../services/registration-verification.js';

const ENDPOINT = { endpoint: '/api/user/registration' };
const CREATE_FIELDS: ReadonlySet<string> = new Set(['user', 'registration', 'skipVerification', 'skipRegistrationVerification', 'disableDomainBlock', 'eventInfo']);
const CREATE_UNIMPLEMENTED: ReadonlySet<string> = new Set(['sendSetPasswordEmail', 'generateAuthenticationToken']);

async function applicationFor(ctx: IdpContext, input: Body, tenantId: string | undefined): Promise<Application> {
  const id = input.applicationId;
  if (id === undefined || id === null || id === '') fieldError('registration.applicationId', 'missing', 'You must specify the [registration.applicationId] property.');
  const application = isUuid(id) ? await ctx.storage.applications.get(id.toLowerCase()) : undefined;
  if (application === undefined || (tenantId !== undefined && application.tenantId !== tenantId)) {
    fieldError('registration.applicationId', 'invalid', `The Application Id [${String(id)}] is not valid.`);
  }
  return application as Application;
}

const REGISTRATION_FIELDS: ReadonlySet<string> = new Set([
  'id', 'applicationId', 'roles', 'data', 'username', 'timezone', 'preferredLanguages',
  'userId', 'tenantId', 'verified', 'verifiedInstant', 'usernameStatus', 'insertInstant', 'lastUpdateInstant', 'lastLoginInstant',
]);
const REGISTRATION_UNIMPLEMENTED: ReadonlySet<string> = new Set(['cleanSpeakId', 'authenticationToken', 'identities', 'tokens']);

export function buildRegistration(ctx: IdpContext, user: User, application: Application, input: Body, existing?: Registration): Registration {
  const errors = refuseUnimplementedFields(input, 'registration', REGISTRATION_FIELDS, REGISTRATION_UNIMPLEMENTED);
  const roles = optionalStringArray(errors, input, 'roles', 'registration.roles');
  const username = optionalString(errors, input, 'username', 'registration.username');
  const timezone = optionalString(errors, input, 'timezone', 'registration.timezone');
  const preferredLanguages = optionalStringArray(errors, input, 'preferredLanguages', 'registration.preferredLanguages');
  if (input.data !== undefined && input.data !== null && !isObject(input.data)) errors.invalid('registration.data', 'The [registration.data] property must be an object.');
  const known = new Set(application.roles.map((r) => r.name));
  const unknown = (roles ?? []).filter((r) => !known.has(r));
  if (unknown.length > 0) errors.invalid('registration.roles', `The role(s) [${unknown.join(', ')}] do not exist for the application.`);
  errors.throwIfAny();
  const now = ctx.now();
  const registration: Registration = {
    id: existing?.id ?? (isUuid(input.id) ? input.id.toLowerCase() : randomUUID()),
    userId: user.id,
    applicationId: application.id,
    tenantId: user.tenantId,
    roles: [...new Set(roles ?? (existing === undefined ? application.roles.filter((r) => r.isDefault).map((r) => r.name) : currentRoles(application, existing.roles)))],
    data: isObject(input.data) ? input.data : {},
    // an update keeps the registration's verification state (an unverified one stays so)
    verified: existing?.verified ?? true,
    ...(existing !== undefined && !existing.verified ? {} : { verifiedInstant: existing?.verifiedInstant ?? now }),
    usernameStatus: 'ACTIVE',
    insertInstant: existing?.insertInstant ?? now,
    lastUpdateInstant: now,
  };
  if (username !== undefined) registration.username = username;
  if (timezone !== undefined) registration.timezone = timezone;
  if (preferredLanguages !== undefined) registration.preferredLanguages = preferredLanguages;
  if (existing?.lastLoginInstant !== undefined) registration.lastLoginInstant = existing.lastLoginInstant;
  return registration;
}

export async function insertRegistration(storage: Storage, registration: Registration): Promise<void> {
  try {
    await storage.registrations.insert(registration);
  } catch (error) {
    if (error instanceof DuplicateError && /registrations\.id$|registrations_pkey$/.test(error.constraint)) {
      fieldError('registration.id', 'duplicate', `A Registration with Id [${registration.id}] already exists.`);
    }
    if (error instanceof DuplicateError) fieldError('registration', 'duplicate', `The User is already registered for the Application [${registration.applicationId}].`);
    throw error;
  }
}

export function registerRegistrationRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const create = async (request: FastifyRequest<{ Params: { userId?: string } }>) => {
    const body = bodyOf(request);
    assertImplementedFields(body, '', CREATE_FIELDS, CREATE_UNIMPLEMENTED);
    const input = wrapped(request, 'registration');
    const scope = requestedTenantId(request);
    const application = await applicationFor(ctx, input, scope);
    const tenant = (await ctx.storage.tenants.get(application.tenantId))!;
    let user: User;
    let created = false;
    if (body.user !== undefined && body.user !== null) {
      const userInput = wrapped(request, 'user');
      const id = createId(request.params.userId, userInput.id, 'user.id');
      if ((await ctx.storage.users.get(id)) !== undefined) fieldError('registration', 'duplicate', `A User with Id [${id}] already exists; register it with POST /api/user/registration/${id} without a user.`);
      user = await buildUser(ctx, tenant, id, userInput, { passwordOptional: body.sendSetPasswordEmail === true });
      if (body.skipVerification !== true && verificationApplies(tenant, user)) user.verified = false;
      created = true;
    } else {
      user = await findUser(ctx, request, request.params.userId);
      if (user.tenantId !== application.tenantId) fieldError('registration.applicationId', 'invalid', 'The Application belongs to another tenant than the User.');
    }
    // One transaction: the user (when created here) and its registration commit together or not at all;
    // the application's row is share-locked so a concurrent role delete cannot slip between the role
    // check and the write.
    const registration = await ctx.storage.transaction(async (storage) => {
      await storage.lockApplication(application.id, 'share');
      const current = (await storage.applications.get(application.id)) ?? application;
      if (!created && (await storage.registrations.findOne({ user_id: user.id, application_id: application.id })) !== undefined) {
        fieldError('registration', 'duplicate', `The User is already registered for the Application [${application.id}].`);
      }
      const made = buildRegistration(ctx, user, current, input);
      const built = body.skipRegistrationVerification !== true && registrationVerificationApplies(current) ? unverified(made) : made;
      if (created) await saveUser({ ...ctx, storage }, user, true);
      await insertRegistration(storage, built);
      return built;
    });
    const tokens = await issueSession(ctx, { tenant, application, user, registration, authenticationType: 'REGISTRATION' });
    const registrations = await ctx.storage.registrations.find({ user_id: user.id });
    const verification = created && !user.verified ? { emailVerificationId: await startEmailVerification(ctx, tenant, user, { send: true, application }) } : {};
    const registrationVerification = registration.verified ? {} : { registrationVerificationId: await startRegistrationVerification(ctx, tenant, application, user, true) };
    return { ...tokens, registration: registrationJson(registration), user: userJson(user, registrations), ...verification, ...registrationVerification };
  };
  app.post('/api/user/registration', { config: ENDPOINT }, create);
  app.post('/api/user/registration/:userId', { config: ENDPOINT }, create);

  const find = async (scope: IdpContext, request: FastifyRequest, userId: string | undefined, applicationId: unknown): Promise<{ user: User; registration: Registration }> => {
    const user = await findUser(scope, request, userId);
    const registration = isUuid(applicationId) ? await scope.storage.registrations.findOne({ user_id: user.id, application_id: applicationId.toLowerCase() }) : undefined;
    return registration === undefined ? notFound() : { user, registration };
  };

  app.get<{ Params: { userId: string; applicationId: string } }>('/api/user/registration/:userId/:applicationId', { config: ENDPOINT }, async (request) => ({
    registration: registrationJson((await find(ctx, request, request.params.userId, request.params.applicationId)).registration),
  }));

  const update = async (request: FastifyRequest<{ Params: { userId: string; applicationId?: string } }>) => {
    const input = wrapped(request, 'registration');
    const applicationId = request.params.applicationId ?? input.applicationId;
    // with the application's row share-locked, a role delete either finished before (the roles read
    // below no longer have it) or waits for this write (and then removes the role from it too)
    return ctx.storage.transaction(async (storage) => {
      if (isUuid(applicationId)) await storage.lockApplication(applicationId.toLowerCase(), 'share');
      const { user, registration: existing } = await find({ ...ctx, storage }, request, request.params.userId, applicationId);
      const application = (await storage.applications.get(existing.applicationId))!;
      const merged = request.method === 'PATCH' ? { ...registrationJson(existing), roles: currentRoles(application, existing.roles), ...input } : input;
      const registration = buildRegistration(ctx, user, application, merged, existing);
      await storage.registrations.update(registration);
      return { registration: registrationJson(registration) };
    });
  };
  for (const path of ['/api/user/registration/:userId', '/api/user/registration/:userId/:applicationId']) {
    app.put(path, { config: ENDPOINT }, update);
    app.patch(path, { config: ENDPOINT }, update);
  }

  app.delete<{ Params: { userId: string; applicationId: string } }>('/api/user/registration/:userId/:applicationId', { config: ENDPOINT }, async (request, reply: FastifyReply) => {
    const { user, registration } = await find(ctx, request, request.params.userId, request.params.applicationId);
    await ctx.storage.registrations.delete(registration.id);
    await ctx.storage.refreshTokens.deleteWhere({ user_id: user.id, application_id: registration.applicationId });
    return reply.code(200).send();
  });
}
