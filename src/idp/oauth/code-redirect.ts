/**
 * The end of a successful hosted sign-in: a new authorization code and the redirect to the registered
 * `redirect_uri` with `code`, `locale`, `state` and FusionAuth's `userState`. Reached after the password
 * (authorize.ts) or after the second factor (two-factor.ts).
 */
import type { FastifyReply } from 'fastify';
import type { IdpContext } from '../context.js';
import type { Tenant, TwoFactorLogin } from '../model/types.js';
import { createCode } from './codes.js';
import { withParams } from './redirect.js';

export type AuthorizedRequest = NonNullable<TwoFactorLogin['oauth']>;

export async function redirectWithCode(ctx: IdpContext, reply: FastifyReply, tenant: Tenant, applicationId: string, userId: string, req: AuthorizedRequest, authTime = Math.floor(ctx.now() / 1000)): Promise<FastifyReply> {
  const code = await createCode(ctx, tenant, {
    tenantId: tenant.id,
    applicationId,
    userId,
    redirectUri: req.redirectUri,
    scope: req.scope,
    authTime,
    ...(req.nonce === undefined ? {} : { nonce: req.nonce }),
    ...(req.codeChallenge === undefined ? {} : { codeChallenge: req.codeChallenge, codeChallengeMethod: 'S256' as const }),
  });
  return reply.header('cache-control', 'no-store').redirect(withParams(req.redirectUri, { code, locale: 'en', state: req.state, userState: req.userState }), 302);
}
