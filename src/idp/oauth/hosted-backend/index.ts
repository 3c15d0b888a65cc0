/**
 * FusionAuth's hosted backend (`/app/*`, FusionAuth 1.45+): a server-side OAuth client built into the
 * identity provider, so a single-page app with `@fusionauth/react-sdk` (or any SDK of FusionAuth's
 * JavaScript family) signs users in with no backend of its own. Login/register (start.ts) → the hosted
 * login page → callback (cookies) → me / refresh → logout.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../../context.js';
import { registerCallback } from './callback.js';
import { registerHostedLogout } from './logout.js';
import { registerMe } from './me.js';
import { registerRefresh } from './refresh.js';
import { registerStart } from './start.js';

export { isHostedCallback } from './callback-uri.js';

export function registerHostedBackend(app: FastifyInstance, ctx: IdpContext): void {
  registerStart(app, ctx);
  registerCallback(app, ctx);
  registerRefresh(app, ctx);
  registerMe(app, ctx);
  registerHostedLogout(app, ctx);
}
