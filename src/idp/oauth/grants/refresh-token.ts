/**
 * `grant_type=refresh_token`: the refresh token must belong to this client, which authenticates per its
 * policy (under `NotRequiredWhenUsingPKCE`, a public client may refresh a token that it obtained by
 * redeeming a code with PKCE); rotation follows the
 * `refreshTokenUsagePolicy` (`OneTimeUse`: a new value each exchange, the old one dead, two parallel
 * exchanges cannot both win; `Reusable`: the same value). `scope` may narrow the original scopes, never
 * widen them. The new access token's `gty` is the token's grants + `refresh_token`.
 */
import type { IdpContext } from '../../context.js';
import { loadRefreshToken } from '../../routes/jwt.js';
import { refreshPolicy } from '../../services/tokens.js';
import type { ClientAuthentication } from '../client-auth.js';
import { requireAuthenticated } from '../client-auth.js';
import { OAuthError } from '../errors.js';
import { param, requiredParam, type Params } from '../form.js';
import { issueUserTokens } from '../issue.js';
import { splitScope } from '../scopes.js';
import { requireGrant } from './enabled.js';

const notFound = (): never => {
  throw new OAuthError('invalid_grant', 'refresh_token_not_found', 'The refresh token is not valid.');
};

export async function refreshTokenGrant(ctx: IdpContext, client: ClientAuthentication, params: Params): Promise<Record<string, unknown>> {
  const { application } = client;
  const value = requiredParam(params, 'refresh_token');
  const loaded = await loadRefreshToken(ctx, value);
  const own = loaded !== undefined && loaded.record.applicationId === application.id;
  requireAuthenticated(client, own && loaded.record.pkce === true);
  requireGrant(application, 'refresh_token');
  if (!own) return notFound();
  const { record, tenant, user } = loaded;
  const original = record.scope === undefined || record.scope === '' ? [] : record.scope.split(' ');
  const requested = param(params, 'scope');
  let scopes = original;
  if (requested !== undefined) {
    scopes = splitScope(requested);
    const extra = scopes.find((s) => !original.includes(s));
    if (extra !== undefined) throw new OAuthError('invalid_scope', 'unknown_scope', `The scope [${extra.slice(0, 100)}] was not granted to this refresh token.`);
  }
  const used = await ctx.tokens.useRefreshToken(record, value, refreshPolicy(tenant, application).usage === 'OneTimeUse');
  if (used === undefined) return notFound();
  const registration = await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id });
  const grants = record.grants.length === 0 ? ['refresh_token'] : [...record.grants, 'refresh_token'];
  const issued = await issueUserTokens(ctx, {
    tenant,
    application,
    user,
    ...(registration === undefined ? {} : { registration }),
    grants,
    scopes,
    authenticationType: 'REFRESH_TOKEN',
    authTime: record.authTime,
    refresh: { record: used.record, token: used.token },
  });
  return issued.body;
}
