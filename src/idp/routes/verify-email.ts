/**
 * Email verification — `/api/user/verify-email`:
 *
 * - `PUT ?email=&applicationId=&sendVerifyEmail=` (TS `resendEmailVerification`,
 *   `generateEmailVerificationId`): issues a new verification id for the user with that address (the
 *   earlier one is void). Without an API key the email is always sent and the answer is empty; with one,
 *   `sendVerifyEmail=false` sends nothing and the answer is `{"verificationId"}`. 404 unknown address;
 *   403 the tenant names no `verificationEmailTemplateId` (verification not configured); 429 rate limited.
 * - `POST {verificationId}` or `POST /{verificationId}` (TS `verifyEmailAddress`, `verifyEmail`), no
 *   authentication: marks the user verified and spends the id; 404 unknown, spent or expired.
 * - `POST {userId}` with an API key (TS `verifyEmailAddressByUserId`): marks the user verified.
 *
 * The one-time code form (`oneTimeCode`, FusionAuth's `FormField` strategy) is not implemented: refused
 * with `[notImplemented]oneTimeCode`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, StatusError, fieldError, notFound, unauthorized } from '../model/errors.js';
import { isUuid, optionalString, type Body } from '../model/input.js';
import { assertImplementedFields } from '../http/not-implemented.js';
import { requireTenant } from '../http/tenant.js';
import { completeEmailVerification, markVerified, startEmailVerification, verificationEmailConfigured } from '../services/email-verification.js';
import { allowHit } from '../services/rate-limit.js';
import { bodyOf, query } from './common.js';
import { findUser } from './users.js';

const ENDPOINT = { endpoint: '/api/user/verify-email', auth: 'optional' as const };
const FIELDS: ReadonlySet<string> = new Set(['verificationId', 'userId', 'eventInfo']);
const UNIMPLEMENTED: ReadonlySet<string> = new Set(['oneTimeCode']);

/**
 * The body of a verify call (email or registration): the fields it may have (`oneTimeCode` refused as not
 * implemented) and the `verificationId`, the body's winning over the path's.
 */
export function verificationBody(request: FastifyRequest<{ Params: { verificationId?: string } }>, fields: ReadonlySet<string>): { verificationId: string | undefined; body: Body } {
  const body = bodyOf(request);
  assertImplementedFields(body, '', fields, UNIMPLEMENTED);
  const errors = new ApiErrors();
  const verificationId = optionalString(errors, body, 'verificationId', 'verificationId') ?? request.params.verificationId;
  errors.throwIfAny();
  return { verificationId, body };
}

export function registerVerifyEmailRoutes(app: FastifyInstance, ctx: IdpContext): void {
  app.put('/api/user/verify-email', { config: ENDPOINT }, async (request, reply) => {
    const q = query(request);
    const keyed = request.apiKey !== undefined;
    const send = q.sendVerifyEmail !== 'false';
    if (q.sendVerifyEmail !== undefined && q.sendVerifyEmail !== 'true' && q.sendVerifyEmail !== 'false') fieldError('sendVerifyEmail', 'invalid', 'The [sendVerifyEmail] parameter must be true or false.');
    if (!send && !keyed) return unauthorized();
    if (q.email === undefined) return fieldError('email', 'blank', 'You must specify the [email] parameter.');
    if (q.applicationId !== undefined && !isUuid(q.applicationId)) fieldError('applicationId', 'invalid', 'The [applicationId] parameter must be a UUID.');
    const tenant = await requireTenant(ctx, request).catch((error: unknown) => (keyed ? Promise.reject(error) : unauthorized()));
    if (send && !verificationEmailConfigured(tenant)) throw new StatusError(403);
    if (send && !(await allowHit(ctx, 'verifyEmail', keyed ? undefined : request.ip, q.email))) throw new StatusError(429);
    const user = await ctx.storage.users.findOne({ tenant_id: tenant.id, email: q.email.trim().toLowerCase() });
    if (user === undefined || !user.active) return notFound();
    const application = q.applicationId === undefined ? undefined : await ctx.storage.applications.get(q.applicationId.toLowerCase());
    const verificationId = await startEmailVerification(ctx, tenant, user, { send, ...(application !== undefined && application.tenantId === tenant.id ? { application } : {}) });
    return send ? reply.code(200).send() : reply.code(200).send({ verificationId });
  });

  const verify = async (request: FastifyRequest<{ Params: { verificationId?: string } }>, reply: FastifyReply) => {
    const { verificationId, body } = verificationBody(request, FIELDS);
    const errors = new ApiErrors();
    const userId = optionalString(errors, body, 'userId', 'userId');
    errors.throwIfAny();
    if (verificationId !== undefined) {
      return (await completeEmailVerification(ctx, verificationId)) === undefined ? notFound() : reply.code(200).send();
    }
    if (userId === undefined) return fieldError('verificationId', 'blank', 'You must specify the [verificationId] property.');
    if (request.apiKey === undefined) return unauthorized();
    await markVerified(ctx, await findUser(ctx, request, userId));
    return reply.code(200).send();
  };
  app.post('/api/user/verify-email', { config: ENDPOINT }, verify);
  app.post('/api/user/verify-email/:verificationId', { config: { auth: 'none', opaqueIds: true } }, verify);
}
