/**
 * `grant_type=password`: the Login API's decision (services/login.ts, with its lockout) mapped to OAuth
 * errors as FusionAuth maps them: 404 → `invalid_grant`/`invalid_user_credentials`; 423 → `user_locked`;
 * 410 → `user_expired`; 203 → `change_password_required` with `change_password_id`.
 */
import type { IdpContext } from '../../context.js';
import { authenticatePassword } from '../../services/login.js';
import type { ClientAuthentication } from '../client-auth.js';
import { requireAuthenticated } from '../client-auth.js';
import { OAuthError } from '../errors.js';
import { param, requiredParam, type Params } from '../form.js';
import { issueUserTokens } from '../issue.js';
import { grantUserScopes } from '../scopes.js';
import { requireGrant } from './enabled.js';

export async function passwordGrant(ctx: IdpContext, client: ClientAuthentication, params: Params): Promise<Record<string, unknown>> {
  const { application } = client;
  const loginId = param(params, 'username') ?? param(params, 'loginId') ?? requiredParam(params, 'username');
  const password = requiredParam(params, 'password');
  requireAuthenticated(client);
  requireGrant(application, 'password');
  const scopes = grantUserScopes(application, param(params, 'scope'));
  const tenant = await ctx.storage.tenants.get(application.tenantId);
  if (tenant === undefined) throw new OAuthError('invalid_client', 'invalid_client_id', 'The client is not valid.', 401);
  const outcome = await authenticatePassword(ctx, tenant, application, loginId, password);
  switch (outcome.status) {
    case 404:
      throw new OAuthError('invalid_grant', 'invalid_user_credentials', 'The user credentials are invalid.');
    case 423:
      throw new OAuthError('invalid_grant', 'user_locked', 'The user is locked.');
    case 410:
      throw new OAuthError('invalid_grant', 'user_expired', 'The user has expired.');
    case 203:
      throw new OAuthError('change_password_required', 'change_password_administrative', 'The user is required to change their password.', 400, {
        ...(outcome.user.changePasswordId === undefined ? {} : { change_password_id: outcome.user.changePasswordId }),
      });
    default:
      break;
  }
  if (outcome.status === 202 && application.oauthConfiguration.requireRegistration === true) {
    throw new OAuthError('invalid_grant', 'user_not_registered', 'The user is not registered for this application.');
  }
  const issued = await issueUserTokens(ctx, {
    tenant,
    application,
    user: outcome.user,
    ...(outcome.registration === undefined ? {} : { registration: outcome.registration }),
    grants: ['password'],
    scopes,
    authenticationType: 'PASSWORD',
    authTime: Math.floor(ctx.now() / 1000),
  });
  return issued.body;
}
