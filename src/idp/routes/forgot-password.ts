/**
 * `POST /api/user/forgot-password` — `{loginId, loginIdTypes?, applicationId?, sendForgotPasswordEmail?,
 * state?}` (FusionAuth's legacy `email`/`username` stand for `loginId`). An API key is optional:
 *
 * - without one, the email is always sent (asking not to send it, or naming a `changePasswordId`, is
 *   401: only a key may);
 * - with one, `sendForgotPasswordEmail: false` (or `sendForgotPasswordMessage: false`) sends nothing and
 *   answers `200 {"changePasswordId"}`.
 *
 * 200 (empty when the email was sent), 403 no forgot-password template configured, 404 unknown user (as
 * FusionAuth's API answers; the hosted page `/password/forgot` never tells), 422 the user has no email
 * address, 429 rate limited (services/rate-limit.ts). A caller-chosen `changePasswordId` is not
 * implemented: ids are always generated.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, StatusError, unauthorized } from '../model/errors.js';
import { isObject, isUuid, optionalBoolean, optionalStringArray, optionalString } from '../model/input.js';
import { assertImplementedFields } from '../http/not-implemented.js';
import { requireTenant } from '../http/tenant.js';
import { forgotPassword, forgotPasswordEmailConfigured } from '../services/forgot-password.js';
import { allowHit } from '../services/rate-limit.js';
import { bodyOf } from './common.js';

const ENDPOINT = { endpoint: '/api/user/forgot-password', auth: 'optional' as const };
const FIELDS: ReadonlySet<string> = new Set(['loginId', 'loginIdTypes', 'email', 'username', 'applicationId', 'sendForgotPasswordEmail', 'sendForgotPasswordMessage', 'state', 'eventInfo']);
const UNIMPLEMENTED: ReadonlySet<string> = new Set(['changePasswordId']);
const LOGIN_ID_TYPES = ['email', 'username'];

export function registerForgotPasswordRoutes(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/api/user/forgot-password', { config: ENDPOINT }, async (request, reply) => {
    const body = bodyOf(request);
    const keyed = request.apiKey !== undefined;
    if (!keyed && (body.changePasswordId !== undefined || body.sendForgotPasswordEmail === false || body.sendForgotPasswordMessage === false)) return unauthorized();
    assertImplementedFields(body, '', FIELDS, UNIMPLEMENTED);
    const errors = new ApiErrors();
    const loginId = optionalString(errors, body, 'loginId', 'loginId') ?? optionalString(errors, body, 'email', 'email') ?? optionalString(errors, body, 'username', 'username');
    if (loginId === undefined || loginId.trim() === '') errors.blank('loginId');
    const types = optionalStringArray(errors, body, 'loginIdTypes', 'loginIdTypes');
    if (types?.includes('phoneNumber')) errors.field('loginIdTypes', 'notImplemented', 'Gatehouse does not implement login by [phoneNumber].');
    else if (types?.some((t) => !LOGIN_ID_TYPES.includes(t))) errors.invalid('loginIdTypes', 'The [loginIdTypes] values must be among email, phoneNumber, username.');
    const send = (optionalBoolean(errors, body, 'sendForgotPasswordMessage', 'sendForgotPasswordMessage') ?? optionalBoolean(errors, body, 'sendForgotPasswordEmail', 'sendForgotPasswordEmail')) !== false;
    if (body.applicationId !== undefined && body.applicationId !== null && !isUuid(body.applicationId)) errors.invalid('applicationId', 'The [applicationId] property must be a UUID.');
    if (body.state !== undefined && body.state !== null && !isObject(body.state)) errors.invalid('state', 'The [state] property must be an object.');
    errors.throwIfAny();

    const tenant = await requireTenant(ctx, request).catch((error: unknown) => (keyed ? Promise.reject(error) : unauthorized()));
    const application = isUuid(body.applicationId) ? await ctx.storage.applications.get(body.applicationId.toLowerCase()) : undefined;
    if (application !== undefined && application.tenantId !== tenant.id) errors.invalid('applicationId', 'The [applicationId] does not name an application of this tenant.').throwIfAny();
    if (send && !forgotPasswordEmailConfigured(tenant)) throw new StatusError(403);
    if (send && !(await allowHit(ctx, 'forgotPassword', keyed ? undefined : request.ip, loginId))) throw new StatusError(429);
    const outcome = await forgotPassword(ctx, {
      tenant,
      ...(application === undefined ? {} : { application }),
      loginId: loginId!,
      ...(types === undefined ? {} : { loginIdTypes: types }),
      send,
      ...(isObject(body.state) ? { state: body.state } : {}),
    });
    if (outcome.status !== 200) throw new StatusError(outcome.status);
    return outcome.changePasswordId === undefined ? reply.code(200).send() : reply.code(200).send({ changePasswordId: outcome.changePasswordId });
  });
}
