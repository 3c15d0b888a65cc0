/**
 * How an administrator is represented, as FusionAuth does it: a user registered to the console's own
 * application (FusionAuth's well-known id, so kickstart files using `#{FUSIONAUTH_APPLICATION_ID}` work
 * unchanged) with the `admin` role. The application is created on demand — by a kickstart that names it,
 * or by `gatehouse up` — never on every fresh database.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { ConsoleApi } from './api.js';

export const ADMIN_APPLICATION_ID = '3c219e58-ed0e-4b18-ad48-f4f92793ae32';
export const ADMIN_APPLICATION_NAME = 'Gatehouse admin console';
export const ADMIN_ROLE = 'admin';

/** Creates the console's application in `tenantId` unless it exists. */
export async function ensureAdminApplication(ctx: IdpContext, app: FastifyInstance, tenantId: string): Promise<void> {
  if ((await ctx.storage.applications.get(ADMIN_APPLICATION_ID)) !== undefined) return;
  const result = await new ConsoleApi(app, ctx).call(
    'POST',
    `/api/application/${ADMIN_APPLICATION_ID}`,
    { application: { name: ADMIN_APPLICATION_NAME, roles: [{ name: ADMIN_ROLE, description: 'Signs in to the Gatehouse admin console', isSuperRole: true }] } },
    tenantId,
  );
  if (result.errors !== undefined) throw new GatehouseError(ErrorCode.IDP_ADMIN_SETUP, `cannot create the admin console application: ${[...result.errors.general, ...Object.values(result.errors.fields).flat()].join('; ')}`);
}
