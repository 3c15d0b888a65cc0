/**
 * First start on an empty database: the HS256 "Default signing key", the "Default" tenant, then either the
 * kickstart file or a one-time admin API key (a key manager with every permission), reported once through
 * `onAdminKey` and never logged. A database that was initialised before is left as it is (kickstart skipped).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { DEFAULT_ISSUER, DEFAULT_TENANT_NAME } from '../model/defaults.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { randomToken } from '../crypto/secrets.js';
import { createTenant, defaultSigningKeyId, insertApiKey, newApiKey } from '../routes/index.js';
import { loadKickstart, runKickstart } from './kickstart.js';
import { ADMIN_APPLICATION_ID, ensureAdminApplication } from '../admin/index.js';

export interface InitializeOptions {
  kickstart?: string | object;
  issuer?: string;
  onAdminKey: (key: string) => void;
}

export type InitializeResult = { fresh: false } | { fresh: true; tenantId: string; adminApiKey?: string; kickstarted: boolean };

export async function initialize(ctx: IdpContext, app: FastifyInstance, options: InitializeOptions): Promise<InitializeResult> {
  if ((await ctx.storage.getSetting('initializedInstant')) !== undefined) return { fresh: false };
  await defaultSigningKeyId(ctx);
  let tenantId = await ctx.storage.getSetting('defaultTenantId');
  if (tenantId === undefined) {
    const tenant = await createTenant(ctx, randomUUID(), { name: DEFAULT_TENANT_NAME, issuer: options.issuer ?? DEFAULT_ISSUER });
    tenantId = tenant.id;
    await ctx.storage.setSetting('defaultTenantId', tenantId);
  }
  let adminApiKey: string | undefined;
  if (options.kickstart !== undefined) {
    // not initialised yet but holding API keys: an earlier kickstart stopped part-way. Running it again would
    // collide with what it created (FusionAuth, too, only kickstarts an empty database).
    const leftovers = await ctx.storage.apiKeys.count();
    if (leftovers > 0) {
      throw new GatehouseError(
        ErrorCode.IDP_KICKSTART,
        `kickstart: the database holds ${leftovers} API key(s) from an earlier kickstart that failed part-way; kickstart runs only on an empty database. Fix the kickstart file, then remove the SQLite file (or drop and re-create the PostgreSQL database) and start again`,
      );
    }
    // FusionAuth's kickstart variable for its own application: admins are registered to it (the admin console)
    if (JSON.stringify(loadKickstart(options.kickstart).file).includes('FUSIONAUTH_APPLICATION_ID')) await ensureAdminApplication(ctx, app, tenantId);
    await runKickstart(ctx, app, options.kickstart, { FUSIONAUTH_TENANT_ID: tenantId, FUSIONAUTH_APPLICATION_ID: ADMIN_APPLICATION_ID });
  } else {
    adminApiKey = randomToken(48);
    await insertApiKey(ctx, newApiKey(ctx.now(), adminApiKey, { keyManager: true, name: 'Initial admin key', metaData: { attributes: { description: 'Created at first start' } } }));
  }
  await ctx.storage.setSetting('initializedInstant', String(ctx.now()));
  ctx.logger.info({ event: 'idp.initialized', tenantId, kickstart: options.kickstart !== undefined }, 'initialised a fresh database');
  if (adminApiKey !== undefined) options.onAdminKey(adminApiKey);
  return { fresh: true, tenantId, kickstarted: options.kickstart !== undefined, ...(adminApiKey === undefined ? {} : { adminApiKey }) };
}
