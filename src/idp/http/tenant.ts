/**
 * Which tenant a request acts in: the `X-FusionAuth-TenantId` header, or the tenant an API key is locked
 * to. With a single tenant it may be omitted; with more, creates and ambiguous lookups need it
 * (`[TenantIdRequired]`). A tenant-locked key naming another tenant gets 401.
 */
import type { FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { generalError, unauthorized } from '../model/errors.js';
import { isUuid } from '../model/input.js';
import type { Tenant } from '../model/types.js';

export const TENANT_HEADER = 'x-fusionauth-tenantid';

/** The tenant id the request names (header or key), or undefined. */
export function requestedTenantId(request: FastifyRequest): string | undefined {
  const raw = request.headers[TENANT_HEADER];
  const header = Array.isArray(raw) ? raw[0] : raw;
  const keyTenant = request.apiKey?.tenantId;
  if (header !== undefined && header !== '') {
    if (!isUuid(header)) generalError('[InvalidTenantId]', 'The X-FusionAuth-TenantId header is not a valid tenant Id.');
    const id = header.toLowerCase();
    if (keyTenant !== undefined && keyTenant !== id) unauthorized();
    return id;
  }
  return keyTenant;
}

async function tenantById(ctx: IdpContext, id: string): Promise<Tenant> {
  const tenant = await ctx.storage.tenants.get(id);
  if (tenant === undefined) generalError('[TenantDoesNotExist]', `The Tenant Id [${id}] does not exist.`);
  return tenant as Tenant;
}

/** The tenant, required: from the request, or the only tenant; else 400 [TenantIdRequired]. */
export async function requireTenant(ctx: IdpContext, request: FastifyRequest): Promise<Tenant> {
  const id = requestedTenantId(request);
  if (id !== undefined) return tenantById(ctx, id);
  const tenants = await ctx.storage.tenants.find();
  if (tenants.length === 1) return tenants[0]!;
  return generalError(
    '[TenantIdRequired]',
    'A Tenant Id is required to complete this request. To complete this request, you must specify the Tenant Id using the X-FusionAuth-TenantId HTTP request header.',
  );
}

/** The tenant the request is scoped to, or undefined for "any tenant". */
export async function optionalTenant(ctx: IdpContext, request: FastifyRequest): Promise<Tenant | undefined> {
  const id = requestedTenantId(request);
  return id === undefined ? undefined : tenantById(ctx, id);
}

/** True when `objectTenantId` is visible to a request scoped to `scope` (undefined = all). */
export function inScope(scope: string | undefined, objectTenantId: string): boolean {
  return scope === undefined || scope === objectTenantId;
}
