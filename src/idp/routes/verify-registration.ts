/**
 * Registration verification — `/api/user/verify-registration` (services/registration-verification.ts):
 *
 * - `PUT ?email=&applicationId=&sendVerifyPasswordEmail=` (TS `resendRegistrationVerification`,
 *   `generateRegistrationVerificationId`): a new id for that user's registration (the earlier one is
 *   void). Without an API key the email is always sent, empty 200; with one,
 *   `sendVerifyPasswordEmail=false` (the client's name for it) sends nothing and answers
 *   `{"verificationId"}`. 404 unknown user or registration; 403 the application does not verify
 *   registrations; 429 rate limited.
 * - `POST {verificationId}` or `POST /{verificationId}` (TS `verifyUserRegistration`, `verifyRegistration`),
 *   no authentication: marks the registration verified and spends the id; 404 unknown, spent or expired.
 *   `oneTimeCode` is `[notImplemented]`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { StatusError, fieldError, notFound, unauthorized } from '../model/errors.js';
import { isUuid } from '../model/input.js';
import { requireTenant } from '../http/tenant.js';
import { allowHit } from '../services/rate-limit.js';
import { completeRegistrationVerification, registrationVerificationApplies, startRegistrationVerification } from '../services/registration-verification.js';
import { query } from './common.js';
import { verificationBody } from './verify-email.js';

const ENDPOINT = { endpoint: '/api/user/verify-registration', auth: 'optional' as const };
const FIELDS: ReadonlySet<string> = new Set(['verificationId', 'eventInfo']);

export function registerVerifyRegistrationRoutes(app: FastifyInstance, ctx: IdpContext): void {
  app.put('/api/user/verify-registration', { config: ENDPOINT }, async (request, reply) => {
    const q = query(request);
    const keyed = request.apiKey !== undefined;
    const flag = q.sendVerifyPasswordEmail ?? q.sendVerifyRegistrationEmail;
    if (flag !== undefined && flag !== 'true' && flag !== 'false') fieldError('sendVerifyPasswordEmail', 'invalid', 'The [sendVerifyPasswordEmail] parameter must be true or false.');
    const send = flag !== 'false';
    if (!send && !keyed) return unauthorized();
    if (q.email === undefined) return fieldError('email', 'blank', 'You must specify the [email] parameter.');
    if (!isUuid(q.applicationId)) return fieldError('applicationId', 'invalid', 'You must specify the [applicationId] parameter as a UUID.');
    const tenant = await requireTenant(ctx, request).catch((error: unknown) => (keyed ? Promise.reject(error) : unauthorized()));
    const application = await ctx.storage.applications.get(q.applicationId.toLowerCase());
    if (application === undefined || application.tenantId !== tenant.id) return notFound();
    if (!registrationVerificationApplies(application)) throw new StatusError(403);
    if (send && !(await allowHit(ctx, 'verifyEmail', keyed ? undefined : request.ip, q.email))) throw new StatusError(429);
    const user = await ctx.storage.users.findOne({ tenant_id: tenant.id, email: q.email.trim().toLowerCase() });
    if (user === undefined || !user.active || (await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id })) === undefined) return notFound();
    const verificationId = await startRegistrationVerification(ctx, tenant, application, user, send);
    return send ? reply.code(200).send() : reply.code(200).send({ verificationId });
  });

  const verify = async (request: FastifyRequest<{ Params: { verificationId?: string } }>, reply: FastifyReply) => {
    const { verificationId } = verificationBody(request, FIELDS);
    if (verificationId === undefined) return fieldError('verificationId', 'blank', 'You must specify the [verificationId] property.');
    return (await completeRegistrationVerification(ctx, verificationId)) === undefined ? notFound() : reply.code(200).send();
  };
  app.post('/api/user/verify-registration', { config: { auth: 'none' } }, verify);
  app.post('/api/user/verify-registration/:verificationId', { config: { auth: 'none', opaqueIds: true } }, verify);
}
