/**
 * The signed-in user's two-factor changes from the account page: add an authenticator app (the secret
 * offered on the page, confirmed with a current code; the first method shows the recovery codes once) and
 * remove a method (with its code or a recovery code). The same services as the Two Factor API; attempts
 * count towards the per-address cap.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { param } from '../oauth/form.js';
import { sendPage } from '../oauth/html.js';
import { OAUTH_ROUTE } from '../oauth/http.js';
import { jwtUser } from '../routes/two-factor-auth.js';
import { disableMethod, enableAuthenticator, takeCodeAttempt } from '../services/two-factor/index.js';
import { ACCOUNT_PATH, accountRequest, pageUrl, SELF, showManage, showSignIn } from './common.js';
import { recoveryCodesPage } from './pages.js';

const SECRET = /^[A-Za-z0-9+/]{16,64}$/;

export function registerAccountTwoFactor(app: FastifyInstance, ctx: IdpContext): void {
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const req = await accountRequest(ctx, request, reply);
    if (req === undefined) return undefined;
    const user = await jwtUser(ctx, request);
    if (user === undefined) {
      showSignIn(reply, req, 401, 'Sign in to change two-factor authentication.');
      return undefined;
    }
    const retryAfter = takeCodeAttempt(ctx, request.ip);
    if (retryAfter !== undefined) {
      void reply.header('retry-after', String(retryAfter));
      await showManage(ctx, reply, req, user, 429, { error: 'Too many attempts from this device. Wait a minute, then try again.' });
      return undefined;
    }
    return { req, user };
  };

  app.post(`${ACCOUNT_PATH}/two-factor/enable`, { config: OAUTH_ROUTE }, async (request, reply) => {
    const guarded = await guard(request, reply);
    if (guarded === undefined) return reply;
    const { req, user } = guarded;
    const secret = param(req.params, 'secret') ?? '';
    if (!SECRET.test(secret)) return showManage(ctx, reply, req, user, 400, { error: 'The setup key expired; use the new one below.' });
    const name = param(req.params, 'name')?.slice(0, 100);
    const outcome = await enableAuthenticator(ctx, user, Buffer.from(secret, 'utf8'), param(req.params, 'code') ?? '', name);
    if (outcome.status === 421) return showManage(ctx, reply, req, user, 400, { error: 'That code does not match the key. Check the app and enter its current code.', secret });
    if (outcome.recoveryCodes !== undefined) return sendPage(reply, 200, recoveryCodesPage({ codes: outcome.recoveryCodes, backTo: pageUrl(req.clientId), look: req.look }), SELF, [], req.look);
    return showManage(ctx, reply, req, (await ctx.storage.users.get(user.id))!, 200, { notice: 'Authenticator app added.' });
  });

  app.post(`${ACCOUNT_PATH}/two-factor/disable`, { config: OAUTH_ROUTE }, async (request, reply) => {
    const guarded = await guard(request, reply);
    if (guarded === undefined) return reply;
    const { req, user } = guarded;
    const status = await disableMethod(ctx, user, param(req.params, 'methodId') ?? '', param(req.params, 'code') ?? '');
    if (status !== 200) return showManage(ctx, reply, req, user, 400, { error: 'That code is not valid for this method, nor a recovery code.' });
    return showManage(ctx, reply, req, (await ctx.storage.users.get(user.id))!, 200, { notice: 'Two-factor method removed.' });
  });
}
