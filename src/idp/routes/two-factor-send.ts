/**
 * FusionAuth's Send a Multi-Factor Code (email method):
 * - `POST /api/two-factor/send` (API key with `userId` in the body, or the user's own JWT): to enable,
 *   `{method: "email", email}` emails a code to that address; to disable, `{methodId}` emails a code to
 *   that email method's address. The code then goes to `POST|DELETE /api/user/two-factor`.
 * - `POST /api/two-factor/send/{twoFactorId}` (no API key), `{methodId}`: emails a code for a login that
 *   answered 242, to be given to `POST /api/two-factor/login`; a new send replaces the earlier code.
 *   `methodId` may be left out when the user has one email method (the deprecated client call sends no body).
 * 200 with no body; 400 for a bad request (or a tenant without email codes); 404 unknown or expired
 * `twoFactorId`; 429 with Retry-After past 5 codes a minute for one user. `sms` is `[notImplemented]`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, StatusError, unauthorized } from '../model/errors.js';
import { optionalString, optionalUuid, type Body } from '../model/input.js';
import type { Application, User } from '../model/types.js';
import { emailOf, sendEnrollmentCode, sendLoginCode } from '../services/two-factor/index.js';
import { bodyOf } from './common.js';
import { jwtUser } from './two-factor-auth.js';
import { findUser } from './users.js';

const SEND_FIELDS = new Set(['method', 'email', 'methodId', 'userId', 'applicationId', 'mobilePhone', 'messageType']);

/** The user a send acts for: `userId` of the body with an API key, else the JWT's user. */
async function sendingUser(ctx: IdpContext, request: FastifyRequest, body: Body): Promise<User> {
  if (request.apiKey !== undefined) {
    if (typeof body.userId !== 'string' || body.userId === '') fieldError('userId', 'blank', 'You must specify the [userId] property when calling with an API key.');
    return findUser(ctx, request, body.userId as string);
  }
  return (await jwtUser(ctx, request)) ?? unauthorized();
}

function refuseSms(errors: ApiErrors, body: Body): void {
  if (body.method === 'sms' || (body.mobilePhone !== undefined && body.mobilePhone !== null)) errors.field('method', 'notImplemented', 'Gatehouse does not implement the [sms] two-factor method; only [authenticator] (TOTP) and [email].');
  if (body.messageType !== undefined && body.messageType !== null && body.messageType !== 'TwoFactor') errors.invalid('messageType', 'The [messageType] property must be TwoFactor.');
}

async function sendForEnrollment(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const body = bodyOf(request);
  const errors = new ApiErrors();
  for (const name of Object.keys(body)) if (!SEND_FIELDS.has(name)) errors.field(name, 'unknown', `The [${name}] property is not a property of this request.`);
  refuseSms(errors, body);
  const methodId = optionalString(errors, body, 'methodId', 'methodId');
  const applicationId = optionalUuid(errors, body, 'applicationId', 'applicationId');
  let email: string | undefined;
  if (methodId === undefined && body.method !== 'sms') {
    if (body.method !== 'email') errors.field('method', body.method === undefined || body.method === null ? 'blank' : 'invalid', 'The [method] property must be email (to enable), or give [methodId] (to disable).');
    email = emailOf(errors, body.email, 'email');
  }
  errors.throwIfAny();
  const user = await sendingUser(ctx, request, body);
  const tenant = (await ctx.storage.tenants.get(user.tenantId))!;
  let application: Application | undefined;
  if (applicationId !== undefined) {
    application = await ctx.storage.applications.get(applicationId);
    if (application === undefined || application.tenantId !== tenant.id) fieldError('applicationId', 'invalid', `The Application Id [${applicationId}] is not valid.`);
  }
  const outcome = await sendEnrollmentCode(ctx, tenant, user, methodId !== undefined ? { methodId } : { email: email! }, application);
  if (outcome.status === 429) return reply.code(429).header('retry-after', String(outcome.retryAfter)).send();
  return reply.code(200).send();
}

async function sendForLogin(ctx: IdpContext, request: FastifyRequest<{ Params: { twoFactorId: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const body = bodyOf(request);
  const errors = new ApiErrors();
  for (const name of Object.keys(body)) if (!SEND_FIELDS.has(name)) errors.field(name, 'unknown', `The [${name}] property is not a property of this request.`);
  refuseSms(errors, body);
  const methodId = optionalString(errors, body, 'methodId', 'methodId');
  errors.throwIfAny();
  const outcome = await sendLoginCode(ctx, request.params.twoFactorId, 'api', methodId);
  if (outcome.status === 429) return reply.code(429).header('retry-after', String(outcome.retryAfter)).send();
  if (outcome.status === 404) throw new StatusError(404);
  if (outcome.status === 400) fieldError('methodId', 'invalid', 'The [methodId] property must name an email two-factor method of the user, and the tenant must allow email codes.');
  return reply.code(200).send();
}

export function registerTwoFactorSendRoutes(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/api/two-factor/send', { config: { endpoint: '/api/two-factor/send', auth: 'optional' } }, (request, reply) => sendForEnrollment(ctx, request, reply));
  app.post('/api/two-factor/send/:twoFactorId', { config: { auth: 'none', opaqueIds: true } }, (request: FastifyRequest<{ Params: { twoFactorId: string } }>, reply) => sendForLogin(ctx, request, reply));
}
