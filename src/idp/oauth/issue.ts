/**
 * The token response of the user grants (authorization_code, password, refresh_token), FusionAuth's
 * shape: `{access_token, expires_in, id_token?, refresh_token?, refresh_token_id?, scope, token_type,
 * userId}`. A refresh token is issued when `offline_access` was granted, the application generates them
 * (`oauthConfiguration.generateRefreshTokens`) and the `refresh_token` grant is enabled.
 */
import type { IdpContext } from '../context.js';
import type { Application, RefreshToken, Registration, Tenant, User } from '../model/types.js';
import { issueIdToken } from './id-token.js';
import { strict } from './scopes.js';
import { grantEnabled } from './grants/enabled.js';

export interface UserTokensRequest {
  tenant: Tenant;
  application: Application;
  user: User;
  registration?: Registration;
  /** The grants in order (header `gty`). */
  grants: string[];
  scopes: string[];
  authenticationType: string;
  authTime: number;
  nonce?: string;
  /** authorization_code: a public client redeemed the code with PKCE (recorded on the refresh token). */
  publicPkce?: boolean;
  /** refresh_token grant: the refresh token in use (its id stays the `sid`), and its new value. */
  refresh?: { record: RefreshToken; token: string };
}

export interface UserTokens {
  body: Record<string, unknown>;
  accessTokenJti: string;
  refreshTokenId?: string;
}

export async function issueUserTokens(ctx: IdpContext, request: UserTokensRequest): Promise<UserTokens> {
  const { tenant, application, user, registration, grants, scopes } = request;
  const scope = scopes.join(' ');
  let refresh = request.refresh;
  if (
    refresh === undefined &&
    scopes.includes('offline_access') &&
    application.oauthConfiguration.generateRefreshTokens !== false &&
    grantEnabled(application, 'refresh_token')
  ) {
    const created = await ctx.tokens.createRefreshToken({ tenant, application, user, authTime: request.authTime, authenticationType: request.authenticationType, grants, scope, pkce: request.publicPkce === true });
    refresh = { record: created.record, token: created.token };
  }
  const access = await ctx.tokens.issueAccessToken({
    tenant,
    application,
    user,
    ...(registration === undefined ? {} : { registration }),
    authenticationType: request.authenticationType,
    authTime: request.authTime,
    grants,
    scope,
    ...(refresh === undefined ? {} : { sid: refresh.record.id }),
    profileClaims: !strict(application),
  });
  const body: Record<string, unknown> = {
    access_token: access.token,
    expires_in: Math.max(0, Math.round((access.expirationInstant - ctx.now()) / 1000)),
  };
  if (scopes.includes('openid')) {
    body.id_token = await issueIdToken(ctx, {
      tenant,
      application,
      user,
      scopes,
      authenticationType: request.authenticationType,
      authTime: request.authTime,
      accessToken: access.token,
      grants,
      ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
      ...(refresh === undefined ? {} : { sid: refresh.record.id }),
    });
  }
  if (refresh !== undefined) {
    body.refresh_token = refresh.token;
    body.refresh_token_id = refresh.record.id;
  }
  body.scope = scope;
  body.token_type = 'Bearer';
  body.userId = user.id;
  return { body, accessTokenJti: access.jti, ...(refresh === undefined ? {} : { refreshTokenId: refresh.record.id }) };
}
