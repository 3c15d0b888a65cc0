/**
 * Self-service account pages: `/account/two-factor`, where a signed-in user turns two-factor on and off
 * (FusionAuth's `/account/two-factor` is the model). Signing in here (password, then a code when two-factor
 * is on) sets FusionAuth's `access_token` cookie, which is what the pages read; an `access_token` cookie
 * from `/api/login` works too. Every form carries the CSRF token of a cookie scoped to /account.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { acceptForms, OAUTH_ROUTE } from '../oauth/http.js';
import { jwtUser } from '../routes/two-factor-auth.js';
import { ACCOUNT_PATH, accountRequest, showManage, showSignIn } from './common.js';
import { registerAccountSignIn } from './sign-in.js';
import { registerAccountTwoFactor } from './two-factor.js';

export function registerAccountPages(app: FastifyInstance, ctx: IdpContext): void {
  void app.register(async (scope) => {
    acceptForms(scope);
    scope.get(`${ACCOUNT_PATH}/two-factor`, { config: OAUTH_ROUTE }, async (request, reply) => {
      const req = await accountRequest(ctx, request, reply);
      if (req === undefined) return reply;
      const user = await jwtUser(ctx, request);
      return user === undefined ? showSignIn(reply, req, 200) : showManage(ctx, reply, req, user, 200);
    });
    registerAccountSignIn(scope, ctx);
    registerAccountTwoFactor(scope, ctx);
  });
}
