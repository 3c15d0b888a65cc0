/** Every route of the identity provider. The OAuth 2.0 / OIDC routes (/oauth2/*) get their own file here. */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { registerApiKeyRoutes } from './api-keys.js';
import { registerApplicationRoutes } from './applications.js';
import { registerJwtRoutes } from './jwt.js';
import { registerJwtVendRoute } from './jwt-vend.js';
import { registerJwtIssueRoute } from './jwt-issue.js';
import { registerKeyRoutes } from './keys.js';
import { registerLoginRoutes } from './login.js';
import { registerRegistrationRoutes } from './registrations.js';
import { registerTenantRoutes } from './tenants.js';
import { registerUserRoutes } from './users.js';
import { registerUserSearchRoutes } from './user-search.js';
import { registerChangePasswordRoutes } from './change-password.js';
import { registerForgotPasswordRoutes } from './forgot-password.js';
import { registerVerifyEmailRoutes } from './verify-email.js';
import { registerVerifyRegistrationRoutes } from './verify-registration.js';
import { registerWellKnownRoutes } from './well-known.js';
import { registerHomePage } from './home.js';
import { registerTwoFactorRoutes } from './two-factor.js';
import { registerTwoFactorLoginRoute } from './two-factor-login.js';
import { registerTwoFactorStatusRoutes } from './two-factor-status.js';
import { registerOAuthRoutes } from '../oauth/index.js';
import { registerAdminConsole } from '../admin/index.js';
import { registerAccountPages } from '../account/index.js';
import { registerHostedPages } from '../hosted/index.js';

export function registerRoutes(app: FastifyInstance, ctx: IdpContext): void {
  registerTenantRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  registerApiKeyRoutes(app, ctx);
  registerUserSearchRoutes(app, ctx);
  registerChangePasswordRoutes(app, ctx);
  registerForgotPasswordRoutes(app, ctx);
  registerVerifyEmailRoutes(app, ctx);
  registerVerifyRegistrationRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerRegistrationRoutes(app, ctx);
  registerLoginRoutes(app, ctx);
  registerTwoFactorRoutes(app, ctx);
  registerTwoFactorLoginRoute(app, ctx);
  registerTwoFactorStatusRoutes(app, ctx);
  registerJwtRoutes(app, ctx);
  registerJwtVendRoute(app, ctx);
  registerJwtIssueRoute(app, ctx);
  registerWellKnownRoutes(app, ctx);
  registerHomePage(app);
  registerOAuthRoutes(app, ctx);
  registerHostedPages(app, ctx);
  registerAdminConsole(app, ctx);
  registerAccountPages(app, ctx);
}

export { createTenant } from './tenants.js';
export { defaultSigningKeyId } from './keys.js';
export { insertApiKey, newApiKey } from './api-keys.js';
