/**
 * OAuth 2.0 and OpenID Connect, FusionAuth-shaped: the hosted login page (`/oauth2/authorize`), the token
 * endpoint (authorization_code with PKCE, refresh_token, password, client_credentials), id tokens,
 * userinfo, introspection, revocation (RFC 7009), logout, SSO sessions and FusionAuth's hosted backend (`/app/*`). Registered in its own fastify scope (form parsing, OAuth errors);
 * each endpoint adds its discovery members here, so the document lists exactly what is served.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { OAUTH_DISCOVERY } from '../routes/well-known.js';
import { registerAuthorize } from './authorize.js';
import { registerHostedBackend } from './hosted-backend/index.js';
import { acceptForms } from './http.js';
import { registerIntrospect } from './introspect.js';
import { registerLogout } from './logout.js';
import { registerRevoke } from './revoke.js';
import { registerRegister } from './register.js';
import { GRANT_TYPES, registerTokenEndpoint } from './token-endpoint.js';
import { registerUserinfo } from './userinfo.js';
import { registerTwoFactorPage } from './two-factor.js';
import { KNOWN_SCOPES } from './scopes.js';

export { validateEntityGrants } from './entity-grants.js';

/** The access-token claims plus those of id tokens and userinfo. */
const CLAIMS = [
  'applicationId', 'at_hash', 'aud', 'auth_time', 'authenticationType', 'birthdate', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'jti',
  'middle_name', 'name', 'nonce', 'permissions', 'phone_number', 'picture', 'preferred_username', 'roles', 'scope', 'sid', 'sub', 'tid',
];

const MEMBERS: Record<string, (base: string) => unknown> = {
  authorization_endpoint: (base) => `${base}/oauth2/authorize`,
  token_endpoint: (base) => `${base}/oauth2/token`,
  userinfo_endpoint: (base) => `${base}/oauth2/userinfo`,
  introspection_endpoint: (base) => `${base}/oauth2/introspect`,
  end_session_endpoint: (base) => `${base}/oauth2/logout`,
  revocation_endpoint: (base) => `${base}/oauth2/revoke`,
  revocation_endpoint_auth_methods_supported: () => ['client_secret_basic', 'client_secret_post', 'none'],
  grant_types_supported: () => [...GRANT_TYPES],
  response_types_supported: () => ['code'],
  response_modes_supported: () => ['query'],
  scopes_supported: () => [...KNOWN_SCOPES],
  code_challenge_methods_supported: () => ['S256'],
  token_endpoint_auth_methods_supported: () => ['client_secret_basic', 'client_secret_post', 'none'],
  introspection_endpoint_auth_methods_supported: () => ['client_secret_basic', 'client_secret_post', 'none'],
  claims_supported: () => CLAIMS,
};

export function registerOAuthRoutes(app: FastifyInstance, ctx: IdpContext): void {
  Object.assign(OAUTH_DISCOVERY, MEMBERS);
  void app.register(async (scope) => {
    acceptForms(scope);
    registerAuthorize(scope, ctx);
    registerTwoFactorPage(scope, ctx);
    registerTokenEndpoint(scope, ctx);
    registerUserinfo(scope, ctx);
    registerIntrospect(scope, ctx);
    registerLogout(scope, ctx);
    registerRevoke(scope, ctx);
    registerHostedBackend(scope, ctx);
    registerRegister(scope, ctx);
  });
}
