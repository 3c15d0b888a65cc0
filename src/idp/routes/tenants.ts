/** Tenant API — `/api/tenant`: create (optionally copying), retrieve, list, replace, patch, delete. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, notFound } from '../model/errors.js';
import { isObject, mergePatch, objectAt, optionalBoolean, optionalEnum, optionalInteger, optionalString, requiredString, type Body } from '../model/input.js';
import { tenantDefaults } from '../model/defaults.js';
import type { Tenant } from '../model/types.js';
import { DuplicateError } from '../storage/index.js';
import { bodyOf, createId, pathId, overDefaults, wrapped } from './common.js';
import { defaultSigningKeyId } from './keys.js';
import { validateTenantTwoFactor } from '../services/two-factor/policy.js';
import { keepEmailPassword, publicTenant, validateEmailConfiguration } from '../services/mail/index.js';
import { PASSWORD_RULE_FLAGS } from '../services/password-rules.js';
import { checkThemeId } from '../services/themes.js';

const ENDPOINT = { endpoint: '/api/tenant' };


/** Validates a complete tenant document, collecting every problem. */
async function validate(ctx: IdpContext, tenant: Body): Promise<Tenant> {
  const errors = new ApiErrors();
  requiredString(errors, tenant, 'name', 'tenant.name');
  const issuer = optionalString(errors, tenant, 'issuer', 'tenant.issuer');
  if (issuer !== undefined && issuer.trim() === '') errors.blank('tenant.issuer');
  const jwt = objectAt(errors, tenant, 'jwtConfiguration', 'tenant.jwtConfiguration');
  optionalInteger(errors, jwt, 'timeToLiveInSeconds', 'tenant.jwtConfiguration.timeToLiveInSeconds');
  optionalInteger(errors, jwt, 'refreshTokenTimeToLiveInMinutes', 'tenant.jwtConfiguration.refreshTokenTimeToLiveInMinutes');
  optionalEnum(errors, jwt, 'refreshTokenUsagePolicy', 'tenant.jwtConfiguration.refreshTokenUsagePolicy', ['Reusable', 'OneTimeUse']);
  optionalEnum(errors, jwt, 'refreshTokenExpirationPolicy', 'tenant.jwtConfiguration.refreshTokenExpirationPolicy', ['Fixed', 'SlidingWindow', 'SlidingWindowWithMaximumLifetime']);
  for (const field of ['accessTokenKeyId', 'idTokenKeyId']) {
    const id = optionalString(errors, jwt, field, `tenant.jwtConfiguration.${field}`);
    if (id !== undefined && (await ctx.storage.keys.get(id)) === undefined) {
      errors.invalid(`tenant.jwtConfiguration.${field}`, `The [tenant.jwtConfiguration.${field}] property does not name an existing key.`);
    }
  }
  const login = objectAt(errors, tenant, 'loginConfiguration', 'tenant.loginConfiguration');
  optionalBoolean(errors, login, 'requireAuthentication', 'tenant.loginConfiguration.requireAuthentication');
  const failed = objectAt(errors, tenant, 'failedAuthenticationConfiguration', 'tenant.failedAuthenticationConfiguration');
  optionalInteger(errors, failed, 'tooManyAttempts', 'tenant.failedAuthenticationConfiguration.tooManyAttempts', 1, 10_000);
  optionalInteger(errors, failed, 'resetCountInSeconds', 'tenant.failedAuthenticationConfiguration.resetCountInSeconds');
  optionalInteger(errors, failed, 'actionDuration', 'tenant.failedAuthenticationConfiguration.actionDuration');
  optionalEnum(errors, failed, 'actionDurationUnit', 'tenant.failedAuthenticationConfiguration.actionDurationUnit', ['SECONDS', 'MINUTES', 'HOURS', 'DAYS']);
  const rules = objectAt(errors, tenant, 'passwordValidationRules', 'tenant.passwordValidationRules');
  optionalInteger(errors, rules, 'minLength', 'tenant.passwordValidationRules.minLength', 1, 256);
  optionalInteger(errors, rules, 'maxLength', 'tenant.passwordValidationRules.maxLength', 1, 256);
  // the SSO session lifetime in seconds (services/sso-session.ts); 0 turns SSO sessions off
  optionalInteger(errors, tenant, 'httpSessionMaxInactiveInterval', 'tenant.httpSessionMaxInactiveInterval', 0, 2_147_483_647);
  for (const flag of PASSWORD_RULE_FLAGS) optionalBoolean(errors, rules, flag, `tenant.passwordValidationRules.${flag}`);
  const external = objectAt(errors, tenant, 'externalIdentifierConfiguration', 'tenant.externalIdentifierConfiguration');
  for (const field of ['changePasswordIdTimeToLiveInSeconds', 'emailVerificationIdTimeToLiveInSeconds']) {
    optionalInteger(errors, external, field, `tenant.externalIdentifierConfiguration.${field}`, 1, 30 * 86_400);
  }
  validateEmailConfiguration(errors, tenant);
  await checkThemeId(ctx, errors, tenant, 'tenant.themeId');
  if (tenant.data !== undefined && !isObject(tenant.data)) errors.invalid('tenant.data', 'The [tenant.data] property must be an object.');
  validateTenantTwoFactor(errors, tenant);
  errors.throwIfAny();
  return tenant as Tenant;
}

async function save(ctx: IdpContext, tenant: Tenant, create: boolean): Promise<void> {
  try {
    if (create) await ctx.storage.tenants.insert(tenant);
    else await ctx.storage.tenants.update(tenant);
  } catch (error) {
    if (error instanceof DuplicateError) {
      if (create && (await ctx.storage.tenants.get(tenant.id)) !== undefined) fieldError('tenant.id', 'duplicate', `A Tenant with Id [${tenant.id}] already exists.`);
      fieldError('tenant.name', 'duplicate', `A Tenant with name [${tenant.name}] already exists.`);
    }
    throw error;
  }
  ctx.keys.invalidate();
}

/** Creates a tenant from the `tenant` object of a request (also used by the bootstrap). */
export async function createTenant(ctx: IdpContext, id: string, input: Body): Promise<Tenant> {
  const now = ctx.now();
  const base = tenantDefaults(now, await defaultSigningKeyId(ctx));
  const tenant = await validate(ctx, { ...overDefaults(base as unknown as Body, input), id, insertInstant: now, lastUpdateInstant: now });
  await save(ctx, tenant, true);
  return tenant;
}

function visible(request: { apiKey?: { tenantId?: string } }, tenant: Tenant | undefined): Tenant {
  const scope = request.apiKey?.tenantId;
  if (tenant === undefined || (scope !== undefined && scope !== tenant.id)) return notFound();
  return tenant;
}

export function registerTenantRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const create = async (request: FastifyRequest<{ Params: { id?: string } }>) => {
    if (request.apiKey?.tenantId !== undefined) notFound();
    const body = bodyOf(request);
    const input = wrapped(request, 'tenant');
    let base: Body = {};
    if (body.sourceTenantId !== undefined) {
      const source = await ctx.storage.tenants.get(String(body.sourceTenantId));
      if (source === undefined) fieldError('sourceTenantId', 'invalid', 'The [sourceTenantId] does not exist.');
      const { id: _id, name: _name, insertInstant: _i, lastUpdateInstant: _l, ...rest } = source as Tenant;
      base = rest;
    }
    const id = createId(request.params.id, input.id, 'tenant.id');
    return { tenant: publicTenant(await createTenant(ctx, id, overDefaults(base, input))) };
  };
  app.post('/api/tenant', { config: ENDPOINT }, create);
  app.post('/api/tenant/:id', { config: ENDPOINT }, create);

  app.get('/api/tenant', { config: ENDPOINT }, async (request) => {
    const scope = request.apiKey?.tenantId;
    const tenants = await ctx.storage.tenants.find();
    return { tenants: tenants.filter((t) => scope === undefined || t.id === scope).map(publicTenant) };
  });

  app.get<{ Params: { id: string } }>('/api/tenant/:id', { config: ENDPOINT }, async (request) => {
    return { tenant: publicTenant(visible(request, await ctx.storage.tenants.get(pathId(request.params.id)))) };
  });

  const update = (patch: boolean) => async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const existing = visible(request, await ctx.storage.tenants.get(pathId(request.params.id)));
    const input = wrapped(request, 'tenant');
    const now = ctx.now();
    const next = patch
      ? mergePatch(existing as unknown as Body, input)
      : overDefaults(tenantDefaults(now, await defaultSigningKeyId(ctx)) as unknown as Body, keepEmailPassword(existing, input));
    const tenant = await validate(ctx, { ...next, id: existing.id, insertInstant: existing.insertInstant, lastUpdateInstant: now });
    await save(ctx, tenant, false);
    return { tenant: publicTenant(tenant) };
  };
  app.put('/api/tenant/:id', { config: ENDPOINT }, update(false));
  app.patch('/api/tenant/:id', { config: ENDPOINT }, update(true));

  app.delete<{ Params: { id: string } }>('/api/tenant/:id', { config: ENDPOINT }, async (request, reply) => {
    const tenant = visible(request, await ctx.storage.tenants.get(pathId(request.params.id)));
    if ((await ctx.storage.getSetting('defaultTenantId')) === tenant.id) {
      fieldError('tenantId', 'invalid', 'The default tenant cannot be deleted.');
    }
    await ctx.storage.deleteTenantCascade(tenant.id);
    ctx.keys.invalidate(); // its discovery document, cached by every instance's key ring
    return reply.code(200).send();
  });
}
