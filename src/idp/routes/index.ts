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
import { registerThemeRoutes } from './themes.js';
import { registerUserRoutes } from './users.js';
import { registerUserSearchRoutes } from './user-search.js';
import { registerChangePasswordRoutes } from './change-password.js';
import { registerWellKnownRoutes } from './well-known.js';
import { registerHomePage } from './home.js';
import { registerOAuthRoutes } from '../oauth/index.js';
import { registerAdminConsole } from '../admin/index.js';

export function registerRoutes(app: FastifyInstance, ctx: IdpContext): void {
  registerTenantRoutes(app, ctx);
  registerThemeRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  registerApiKeyRoutes(app, ctx);
  registerUserSearchRoutes(app, ctx);
  registerChangePasswordRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerRegistrationRoutes(app, ctx);
  registerLoginRoutes(app, ctx);
  registerJwtRoutes(app, ctx);
  registerJwtVendRoute(app, ctx);
  registerJwtIssueRoute(app, ctx);
  registerWellKnownRoutes(app, ctx);
  registerHomePage(app);
  registerOAuthRoutes(app, ctx);
  registerAdminConsole(app, ctx);
}

export { createTenant } from './tenants.js';
export { defaultSigningKeyId } from './keys.js';
export { insertApiKey, newApiKey } from './api-keys.js';
