/** The admin console (/admin): FusionAuth's set-up screens, server-rendered, on the IdP's own API. */
export { registerAdminConsole, REGISTERED_ROUTES, SECURITY_HEADERS } from './plugin.js';
export { ADMIN_APPLICATION_ID, ADMIN_APPLICATION_NAME, ADMIN_ROLE, ensureAdminApplication } from './admin-application.js';
export { escapeHtml, html } from './html.js';
export { ADMIN_ROUTES } from './router.js';
