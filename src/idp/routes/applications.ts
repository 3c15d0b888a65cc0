/**
 * Application API — `/api/application` and its roles (`/api/application/{id}/role`). JWT enabled without
 * key ids generates an RS256 access-token key and id-token key named as FusionAuth names them; the OAuth
 * client id is the application id and a client secret is generated when none is given.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, notFound } from '../model/errors.js';
import { isObject, mergePatch, objectAt, optionalBoolean, optionalEnum, optionalInteger, optionalString, optionalStringArray, requiredString, type Body } from '../model/input.js';
import { applicationDefaults } from '../model/defaults.js';
import type { Application, Role, Tenant } from '../model/types.js';
import { DuplicateError } from '../storage/index.js';
import { createId, isTrue, pathId, query, overDefaults, wrapped } from './common.js';
import { generateNamedKey } from './keys.js';
import { optionalTenant, requireTenant } from '../http/tenant.js';
import { validateEntityGrants } from '../oauth/index.js';
import { checkThemeId } from '../services/themes.js';
import { carryRoleChanges } from '../services/roles.js';
import { validateRegistrationConfiguration } from '../services/registration-config.js';
import { ADMIN_APPLICATION_ID } from '../admin/admin-application.js';
import { validateRegistrationVerification } from '../services/registration-verification.js';

const ENDPOINT = { endpoint: '/api/application' };
const ROLE_ENDPOINT = { endpoint: '/api/application/role' };

function newClientSecret(): string {
  return randomBytes(32).toString('base64');
}


function parseRole(errors: ApiErrors, input: Body, path: string, now: number, existing?: Role): Role | undefined {
  const name = requiredString(errors, input, 'name', `${path}.name`);
  const description = optionalString(errors, input, 'description', `${path}.description`);
  const isDefault = optionalBoolean(errors, input, 'isDefault', `${path}.isDefault`) ?? false;
  const isSuperRole = optionalBoolean(errors, input, 'isSuperRole', `${path}.isSuperRole`) ?? false;
  if (name === undefined) return undefined;
  const id = existing?.id ?? (typeof input.id === 'string' && input.id !== '' ? input.id.toLowerCase() : randomUUID());
  return { id, name, ...(description === undefined ? {} : { description }), isDefault, isSuperRole, insertInstant: existing?.insertInstant ?? now, lastUpdateInstant: now };
}

/** Validates and completes an application document; generates keys when JWT is enabled without them. */
async function complete(ctx: IdpContext, tenant: Tenant, doc: Body, rolesInput: unknown): Promise<Application> {
  const errors = new ApiErrors();
  const name = requiredString(errors, doc, 'name', 'application.name');
  const jwt = objectAt(errors, doc, 'jwtConfiguration', 'application.jwtConfiguration');
  const enabled = optionalBoolean(errors, jwt, 'enabled', 'application.jwtConfiguration.enabled') ?? false;
  optionalInteger(errors, jwt, 'timeToLiveInSeconds', 'application.jwtConfiguration.timeToLiveInSeconds');
  optionalInteger(errors, jwt, 'refreshTokenTimeToLiveInMinutes', 'application.jwtConfiguration.refreshTokenTimeToLiveInMinutes');
  optionalEnum(errors, jwt, 'refreshTokenUsagePolicy', 'application.jwtConfiguration.refreshTokenUsagePolicy', ['Reusable', 'OneTimeUse']);
  optionalEnum(errors, jwt, 'refreshTokenExpirationPolicy', 'application.jwtConfiguration.refreshTokenExpirationPolicy', ['Fixed', 'SlidingWindow', 'SlidingWindowWithMaximumLifetime']);
  for (const field of ['accessTokenKeyId', 'idTokenKeyId']) {
    const id = optionalString(errors, jwt, field, `application.jwtConfiguration.${field}`);
    if (id !== undefined && id !== '' && (await ctx.storage.keys.get(id)) === undefined) {
      errors.invalid(`application.jwtConfiguration.${field}`, `The [application.jwtConfiguration.${field}] property does not name an existing key.`);
    }
  }
  const login = objectAt(errors, doc, 'loginConfiguration', 'application.loginConfiguration');
  for (const field of ['allowTokenRefresh', 'generateRefreshTokens', 'requireAuthentication']) optionalBoolean(errors, login, field, `application.loginConfiguration.${field}`);
  const oauth = objectAt(errors, doc, 'oauthConfiguration', 'application.oauthConfiguration');
  optionalString(errors, oauth, 'clientSecret', 'application.oauthConfiguration.clientSecret');
  optionalStringArray(errors, oauth, 'authorizedRedirectURLs', 'application.oauthConfiguration.authorizedRedirectURLs');
  optionalStringArray(errors, oauth, 'authorizedOriginURLs', 'application.oauthConfiguration.authorizedOriginURLs');
  optionalStringArray(errors, oauth, 'enabledGrants', 'application.oauthConfiguration.enabledGrants');
  const policy = optionalEnum(errors, oauth, 'clientAuthenticationPolicy', 'application.oauthConfiguration.clientAuthenticationPolicy', ['Required', 'NotRequired', 'NotRequiredWhenUsingPKCE']);
  validateEntityGrants(errors, oauth);
  optionalEnum(errors, oauth, 'proofKeyForCodeExchangePolicy', 'application.oauthConfiguration.proofKeyForCodeExchangePolicy', ['Required', 'NotRequired', 'NotRequiredWhenUsingClientAuthentication']);
  optionalEnum(errors, oauth, 'logoutBehavior', 'application.oauthConfiguration.logoutBehavior', ['AllApplications', 'RedirectOnly']);
  const logoutURL = optionalString(errors, oauth, 'logoutURL', 'application.oauthConfiguration.logoutURL');
  if (logoutURL !== undefined && logoutURL !== '' && !/^https?:\/\/[^\s]+$/i.test(logoutURL)) {
    errors.invalid('application.oauthConfiguration.logoutURL', 'The [application.oauthConfiguration.logoutURL] property must be an absolute http or https URL.');
  }
  optionalEnum(errors, oauth, 'scopeHandlingPolicy', 'application.oauthConfiguration.scopeHandlingPolicy', ['Compatibility', 'Strict']);
  optionalEnum(errors, oauth, 'unknownScopePolicy', 'application.oauthConfiguration.unknownScopePolicy', ['Allow', 'Remove', 'Reject']);
  validateRegistrationConfiguration(errors, doc, doc.id === ADMIN_APPLICATION_ID);
  validateRegistrationVerification(errors, doc);
  await checkThemeId(ctx, errors, doc, 'application.themeId');
  if (doc.data !== undefined && !isObject(doc.data)) errors.invalid('application.data', 'The [application.data] property must be an object.');
  const roles: Role[] = [];
  if (rolesInput !== undefined && rolesInput !== null) {
    if (!Array.isArray(rolesInput)) errors.invalid('application.roles', 'The [application.roles] property must be an array.');
    else
      rolesInput.forEach((r, i) => {
        if (!isObject(r)) errors.invalid(`application.roles[${i}]`, 'Each role must be an object.');
        else {
          const role = parseRole(errors, r, `application.roles[${i}]`, ctx.now());
          if (role !== undefined && roles.some((x) => x.name === role.name)) errors.duplicate(`application.roles[${i}].name`, `The role [${role.name}] is listed twice.`);
          else if (role !== undefined) roles.push(role);
        }
      });
  }
  errors.throwIfAny();

  const app = { ...doc, roles } as Application;
  app.oauthConfiguration.clientId = app.id;
  if (typeof app.oauthConfiguration.clientSecret !== 'string' || app.oauthConfiguration.clientSecret === '') app.oauthConfiguration.clientSecret = newClientSecret();
  // clientAuthenticationPolicy wins; without it, the deprecated boolean decides (absent = Required).
  if (policy !== undefined) app.oauthConfiguration.requireClientAuthentication = policy !== 'NotRequired';
  else {
    app.oauthConfiguration.clientAuthenticationPolicy = app.oauthConfiguration.requireClientAuthentication === false ? 'NotRequired' : 'Required';
    app.oauthConfiguration.requireClientAuthentication = app.oauthConfiguration.requireClientAuthentication !== false;
  }
  if (enabled && !app.jwtConfiguration.accessTokenKeyId) {
    app.jwtConfiguration.accessTokenKeyId = (await generateNamedKey(ctx, `Access token signing key generated for application ${name}`, 'RS256', tenant.issuer)).id;
  }
  // Every application gets an RS256 id-token key unless one is configured, JWT settings enabled or not:
  // an id token must be verifiable by its client from the JWKS (an HMAC key would need the server's secret).
  if (!app.jwtConfiguration.idTokenKeyId) {
    app.jwtConfiguration.idTokenKeyId = (await generateNamedKey(ctx, `Id token signing key generated for application ${name}`, 'RS256', tenant.issuer)).id;
  }
  return app;
}

async function save(ctx: IdpContext, app: Application, create: boolean): Promise<void> {
  try {
    if (create) await ctx.storage.applications.insert(app);
    else await ctx.storage.applications.update(app);
  } catch (error) {
    if (error instanceof DuplicateError) {
      if (create && (await ctx.storage.applications.get(app.id)) !== undefined) fieldError('application.id', 'duplicate', `An Application with Id [${app.id}] already exists.`);
      fieldError('application.name', 'duplicate', `An Application with name [${app.name}] already exists.`);
    }
    throw error;
  }
}

/** The application, if visible to the request's tenant scope; else 404. */
async function findApplication(ctx: IdpContext, request: FastifyRequest, id: string | undefined): Promise<Application> {
  const app = await ctx.storage.applications.get(pathId(id));
  const scope = (await optionalTenant(ctx, request))?.id;
  if (app === undefined || (scope !== undefined && scope !== app.tenantId)) return notFound();
  return app;
}

export function registerApplicationRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const create = async (request: FastifyRequest<{ Params: { id?: string } }>) => {
    const input = wrapped(request, 'application');
    const tenant = await requireTenant(ctx, request);
    const id = createId(request.params.id, input.id, 'application.id');
    const now = ctx.now();
    const base = applicationDefaults(now, id, '') as unknown as Body;
    const { roles, ...rest } = input;
    const doc = { ...overDefaults(base, rest), id, tenantId: tenant.id, insertInstant: now, lastUpdateInstant: now };
    const application = await complete(ctx, tenant, doc, roles);
    await save(ctx, application, true);
    return { application };
  };
  app.post('/api/application', { config: ENDPOINT }, create);
  app.post('/api/application/:id', { config: ENDPOINT }, create);

  app.get('/api/application', { config: ENDPOINT }, async (request) => {
    const scope = (await optionalTenant(ctx, request))?.id;
    const inactive = isTrue(query(request).inactive);
    const all = await ctx.storage.applications.find(scope === undefined ? {} : { tenant_id: scope });
    return { applications: all.filter((a) => a.active !== inactive) };
  });

  app.get<{ Params: { id: string } }>('/api/application/:id', { config: ENDPOINT }, async (request) => ({
    application: await findApplication(ctx, request, request.params.id),
  }));

  const update = (patch: boolean) => async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const existing = await findApplication(ctx, request, request.params.id);
    const tenant = (await ctx.storage.tenants.get(existing.tenantId))!;
    const now = ctx.now();
    if (isTrue(query(request).reactivate)) {
      const application = { ...existing, active: true, lastUpdateInstant: now };
      await save(ctx, application, false);
      return { application };
    }
    const { roles: _ignored, ...input } = wrapped(request, 'application');
    const merged = patch ? mergePatch(existing as unknown as Body, input) : overDefaults(applicationDefaults(now, existing.id, existing.oauthConfiguration.clientSecret) as unknown as Body, input);
    const oauth = merged.oauthConfiguration as Body;
    if (!patch && (oauth.clientSecret === undefined || oauth.clientSecret === '')) oauth.clientSecret = existing.oauthConfiguration.clientSecret;
    // With JWT settings enabled, key ids left out are generated anew (the console's "regenerate on save");
    // without them, a PUT keeps the id-token key every application has rather than minting one per update.
    const jwt = merged.jwtConfiguration as Body;
    if (jwt.enabled !== true && !jwt.idTokenKeyId && existing.jwtConfiguration.idTokenKeyId) jwt.idTokenKeyId = existing.jwtConfiguration.idTokenKeyId;
    const doc = { ...merged, id: existing.id, tenantId: existing.tenantId, insertInstant: existing.insertInstant, lastUpdateInstant: now, active: existing.active };
    const application = await complete(ctx, tenant, doc, undefined);
    // roles are the role API's: take them from the row as it is at the write, not as it was read above
    await ctx.storage.transaction(async (storage) => {
      await storage.lockApplication(existing.id, 'update');
      application.roles = (await storage.applications.get(existing.id))?.roles ?? existing.roles;
      await save({ ...ctx, storage }, application, false);
    });
    return { application };
  };
  app.put('/api/application/:id', { config: ENDPOINT }, update(false));
  app.patch('/api/application/:id', { config: ENDPOINT }, update(true));

  app.delete<{ Params: { id: string } }>('/api/application/:id', { config: ENDPOINT }, async (request, reply) => {
    const existing = await findApplication(ctx, request, request.params.id);
    if (isTrue(query(request).hardDelete)) await ctx.storage.deleteApplicationCascade(existing.id);
    else await save(ctx, { ...existing, active: false, lastUpdateInstant: ctx.now() }, false);
    return reply.code(200).send();
  });

  /**
   * A role change: in one transaction with the application's row locked, the application is re-read,
   * changed, and the change carried to its registrations (services/roles.ts).
   */
  const changeRoles = <T>(request: FastifyRequest<{ Params: { id: string } }>, change: (application: Application, tx: IdpContext) => Promise<{ roles: Role[]; result: T }>): Promise<T> =>
    ctx.storage.transaction(async (storage) => {
      const tx: IdpContext = { ...ctx, storage };
      await storage.lockApplication(pathId(request.params.id), 'update');
      const application = await findApplication(tx, request, request.params.id);
      const { roles, result } = await change(application, tx);
      await save(tx, { ...application, roles, lastUpdateInstant: ctx.now() }, false);
      await carryRoleChanges(storage, application.id, application.roles, roles);
      return result;
    });

  const saveRole = (request: FastifyRequest<{ Params: { id: string; roleId?: string } }>, replaceId?: string) =>
    changeRoles(request, async (application) => {
      const existing = replaceId === undefined ? undefined : application.roles.find((r) => r.id === replaceId);
      if (replaceId !== undefined && existing === undefined) return notFound();
      const given = wrapped(request, 'role');
      const input = request.method === 'PATCH' ? { ...existing, ...given } : given;
      const errors = new ApiErrors();
      const id = replaceId ?? createId(request.params.roleId, input.id, 'role.id');
      const role = parseRole(errors, { ...input, id }, 'role', ctx.now(), existing);
      errors.throwIfAny();
      if (application.roles.some((r) => r.name === role!.name && r.id !== id)) fieldError('role.name', 'duplicate', `A Role with name [${role!.name}] already exists.`);
      if (replaceId === undefined && application.roles.some((r) => r.id === id)) fieldError('role.id', 'duplicate', `A Role with Id [${id}] already exists.`);
      const roles = replaceId === undefined ? [...application.roles, role!] : application.roles.map((r) => (r.id === replaceId ? role! : r));
      return Promise.resolve({ roles, result: { role } });
    });
  app.post('/api/application/:id/role', { config: ROLE_ENDPOINT }, (request: FastifyRequest<{ Params: { id: string } }>) => saveRole(request));
  app.post('/api/application/:id/role/:roleId', { config: ROLE_ENDPOINT }, (request: FastifyRequest<{ Params: { id: string; roleId: string } }>) => saveRole(request));
  for (const method of ['put', 'patch'] as const) {
    app[method]('/api/application/:id/role/:roleId', { config: ROLE_ENDPOINT }, (request: FastifyRequest<{ Params: { id: string; roleId: string } }>) =>
      saveRole(request, pathId(request.params.roleId)),
    );
  }
  const deleteRole = async (request: FastifyRequest<{ Params: { id: string; roleId?: string } }>, reply: FastifyReply) => {
    const name = query(request).name;
    await changeRoles(request, (application) => {
      const role = application.roles.find((r) => (request.params.roleId !== undefined ? r.id === request.params.roleId.toLowerCase() : r.name === name));
      if (role === undefined) return notFound();
      return Promise.resolve({ roles: application.roles.filter((r) => r.id !== role.id), result: undefined });
    });
    return reply.code(200).send();
  };
  app.delete('/api/application/:id/role/:roleId', { config: ROLE_ENDPOINT }, deleteRole);
  app.delete('/api/application/:id/role', { config: ROLE_ENDPOINT }, deleteRole);
}
