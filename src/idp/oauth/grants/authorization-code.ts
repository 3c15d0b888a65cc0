/**
 * `grant_type=authorization_code`: the code (single-use, short-lived, issued to this client), the same
 * `redirect_uri` as the authorization request, the PKCE verifier when the code is bound to a challenge or
 * the policy wants one, and client authentication per `clientAuthenticationPolicy` (PKCE may stand in for
 * it under `NotRequiredWhenUsingPKCE`).
 */
import type { IdpContext } from '../../context.js';
import type { ClientAuthentication } from '../client-auth.js';
import { requireAuthenticated } from '../client-auth.js';
import { recordIssued, redeemCode } from '../codes.js';
import { OAuthError } from '../errors.js';
import { param, requiredParam, type Params } from '../form.js';
import { issueUserTokens } from '../issue.js';
import { checkVerifier } from '../pkce.js';
import { requireGrant } from './enabled.js';

export async function authorizationCodeGrant(ctx: IdpContext, client: ClientAuthentication, params: Params): Promise<Record<string, unknown>> {
  const { application } = client;
  const code = requiredParam(params, 'code');
  const redirectUri = requiredParam(params, 'redirect_uri');
  const verifier = param(params, 'code_verifier');
  requireAuthenticated(client, verifier !== undefined);
  requireGrant(application, 'authorization_code');
  // checked before the code is marked used: a failed exchange does not burn it (codes.ts)
  const record = await redeemCode(ctx, code, application.id, (found) => {
    if (found.redirectUri !== redirectUri) throw new OAuthError('invalid_grant', 'invalid_redirect_uri', 'The [redirect_uri] does not match the one of the authorization request.');
    checkVerifier(application, found.codeChallenge, verifier, client.authenticated);
  });
  const [tenant, user] = await Promise.all([ctx.storage.tenants.get(record.tenantId), ctx.storage.users.get(record.userId)]);
  if (tenant === undefined || user === undefined || !user.active) throw new OAuthError('invalid_grant', 'auth_code_not_found', 'The user of this authorization code is no longer active.');
  const registration = await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id });
  const issued = await issueUserTokens(ctx, {
    tenant,
    application,
    user,
    ...(registration === undefined ? {} : { registration }),
    grants: ['authorization_code'],
    scopes: record.scope === '' ? [] : record.scope.split(' '),
    authenticationType: 'PASSWORD',
    authTime: record.authTime,
    ...(record.nonce === undefined ? {} : { nonce: record.nonce }),
    publicPkce: !client.authenticated && record.codeChallenge !== undefined,
  });
  await recordIssued(ctx, record, issued.accessTokenJti, issued.refreshTokenId);
  return issued.body;
}
