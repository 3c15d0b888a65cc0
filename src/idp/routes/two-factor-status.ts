/**
 * FusionAuth's Retrieve Multi-Factor Status (API key): would the user's next login be challenged?
 * `GET /api/two-factor/status[/{twoFactorTrustId}]?userId=&applicationId=` and `POST /api/two-factor/status`
 * `{userId, twoFactorTrustId?, applicationId?, action?}`. 200 when no challenge is needed (no method, the
 * tenant's policy is Disabled, or the trust id is valid for the user), 242 when one is. The body echoes
 * `twoFactorTrustId` and lists the trust it names (`trusts: [{startInstant, expiration}]`) while valid.
 * Trusts are not bound to applications here, so `applicationId` only has to name an application of the
 * user's tenant.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError } from '../model/errors.js';
import { optionalEnum, optionalString, optionalUuid, requiredString, type Body } from '../model/input.js';
import { sha256Hex } from '../crypto/secrets.js';
import { challengeNeeded } from '../services/two-factor/index.js';
import { bodyOf, query } from './common.js';
import { findUser } from './users.js';

const STATUS = { endpoint: '/api/two-factor/status' };

async function status(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, input: Body): Promise<FastifyReply> {
  const errors = new ApiErrors();
  const userId = requiredString(errors, input, 'userId', 'userId');
  const applicationId = optionalUuid(errors, input, 'applicationId', 'applicationId');
  const trustId = optionalString(errors, input, 'twoFactorTrustId', 'twoFactorTrustId');
  optionalEnum(errors, input, 'action', 'action', ['changePassword', 'login', 'stepUp']);
  errors.throwIfAny();
  const user = await findUser(ctx, request, userId);
  if (applicationId !== undefined && (await ctx.storage.applications.get(applicationId))?.tenantId !== user.tenantId) {
    fieldError('applicationId', 'invalid', `The Application Id [${applicationId}] is not valid.`);
  }
  const tenant = (await ctx.storage.tenants.get(user.tenantId))!;
  const needed = await challengeNeeded(ctx, tenant, user, trustId);
  const trust = trustId === undefined ? undefined : await ctx.storage.twoFactorTrusts.get(sha256Hex(trustId));
  const valid = trust !== undefined && trust.userId === user.id && trust.expiresInstant > ctx.now();
  return reply.code(needed ? 242 : 200).send({
    ...(valid ? { trusts: [{ startInstant: trust.insertInstant, expiration: trust.expiresInstant }] } : {}),
    ...(trustId === undefined ? {} : { twoFactorTrustId: trustId }),
  });
}

export function registerTwoFactorStatusRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const fromQuery = (request: FastifyRequest<{ Params: { twoFactorTrustId?: string } }>, reply: FastifyReply) => {
    const q = query(request);
    return status(ctx, request, reply, { userId: q.userId, applicationId: q.applicationId, twoFactorTrustId: request.params.twoFactorTrustId });
  };
  app.get('/api/two-factor/status', { config: STATUS }, fromQuery);
  app.get('/api/two-factor/status/:twoFactorTrustId', { config: STATUS }, fromQuery);
  app.post('/api/two-factor/status', { config: STATUS }, (request, reply) => status(ctx, request, reply, bodyOf(request)));
}
