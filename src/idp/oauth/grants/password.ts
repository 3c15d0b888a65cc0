/**
 * `grant_type=password`: the Login API's decision (services/login.ts, with its lockout) mapped to OAuth
 * errors as FusionAuth maps them: 404 → `invalid_grant`/`invalid_user_credentials`; 423 → `user_locked`;
 * 410 → `user_expired`; 242 (a second factor is needed) → `two_factor_required` with `two_factor_id`,
 * which completes at `/api/two-factor/login` (a password grant never bypasses two-factor); 203 →
 * `change_password_required` with `change_password_id`.
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
import { challengeIfNeeded } from '../../services/two-factor/index.js';

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
  // FusionAuth's 242 (before 203) → 400 two_factor_required with the two_factor_id to complete at /api/two-factor/login
  const challenge = 'user' in outcome ? await challengeIfNeeded(ctx, { tenant, application, user: outcome.user, purpose: 'api' }) : undefined;
  if (challenge !== undefined) {
    throw new OAuthError('two_factor_required', 'two_factor_required', 'The user must complete two-factor authentication.', 400, { two_factor_id: challenge.twoFactorId });
  }
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
