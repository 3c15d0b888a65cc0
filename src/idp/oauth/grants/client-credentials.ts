/**
 * `grant_type=client_credentials` for service clients (see ../entity-grants.ts for the model). The client
 * must authenticate with its secret whatever its policy. Each `target-entity:<id>[:<perm>,...]` scope
 * names a target application of the same tenant that grants this client those permissions (all granted
 * ones when none are listed). The token, signed with the client application's access-token key (else the
 * tenant's), is FusionAuth's: header `gty: ["client_credentials"]`; `aud` the target id (an array for
 * several), `sub` the client id, `permissions {targetId: [...]}`, `scope`, `tid`. The granted scope is
 * written one `target-entity:<id>:<perm>` per permission so a gateway route can require one of them.
 */
import { randomUUID } from 'node:crypto';
import type { IdpContext } from '../../context.js';
import { isUuid } from '../../model/input.js';
import { accessTokenKeyId, accessTokenTtl } from '../../services/tokens.js';
import type { ClientAuthentication } from '../client-auth.js';
import { requireSecret } from '../client-auth.js';
import { grantFor } from '../entity-grants.js';
import { OAuthError, oauthError } from '../errors.js';
import { param, type Params } from '../form.js';
import { splitScope } from '../scopes.js';
import { requireGrant } from './enabled.js';

const TARGET = /^target-entity:([^:]+)(?::(.+))?$/;

function invalidTarget(description: string): never {
  throw new OAuthError('invalid_scope', 'invalid_target_entity_scope', description);
}

export async function clientCredentialsGrant(ctx: IdpContext, client: ClientAuthentication, params: Params): Promise<Record<string, unknown>> {
  const { application } = client;
  requireSecret(client);
  requireGrant(application, 'client_credentials');
  const requested = splitScope(param(params, 'scope'));
  if (requested.length === 0) invalidTarget('The [scope] must name at least one target: target-entity:<id>[:<permission>,...].');
  const permissions: Record<string, string[]> = {};
  for (const scope of requested) {
    const match = TARGET.exec(scope);
    if (match === null || !isUuid(match[1])) return invalidTarget(`The scope [${scope.slice(0, 100)}] is not target-entity:<id>[:<permission>,...].`);
    const targetId = match[1].toLowerCase();
    const target = await ctx.storage.applications.get(targetId);
    const granted = target?.active === true && target.tenantId === application.tenantId ? grantFor(target, application.id) : undefined;
    if (granted === undefined) return invalidTarget(`The client has no grant on the target [${targetId}].`);
    const wanted = match[2] === undefined ? [...granted] : match[2].split(',');
    for (const p of wanted) {
      if (!granted.includes(p)) throw new OAuthError('invalid_scope', 'invalid_entity_permission_scope', `The permission [${p.slice(0, 100)}] is not granted on the target [${targetId}].`);
      const list = (permissions[targetId] ??= []);
      if (!list.includes(p)) list.push(p);
    }
    permissions[targetId] ??= [];
  }
  const tenant = await ctx.storage.tenants.get(application.tenantId);
  if (tenant === undefined) return oauthError('invalid_client', 'invalid_client_id', 'The client is not valid.', 401);
  const signer = await ctx.keys.signer(accessTokenKeyId(tenant, application));
  if (signer === undefined) return oauthError('server_error', 'unknown', 'The signing key is not available.', 500);
  const targets = Object.keys(permissions);
  const scope = targets.flatMap((id) => (permissions[id]!.length === 0 ? [`target-entity:${id}`] : permissions[id]!.map((p) => `target-entity:${id}:${p}`))).join(' ');
  const ttl = accessTokenTtl(tenant, application);
  const nowS = Math.floor(ctx.now() / 1000);
  const claims = {
    aud: targets.length === 1 ? targets[0] : targets,
    exp: nowS + ttl,
    iat: nowS,
    iss: tenant.issuer,
    sub: application.id,
    jti: randomUUID(),
    permissions,
    scope,
    tid: tenant.id,
  };
  return { access_token: signer.sign(claims, ['client_credentials']), expires_in: ttl, scope, token_type: 'Bearer' };
}
