/**
 * `POST /api/two-factor/login` (no API key, as in FusionAuth): completes a login that answered 242, with
 * `twoFactorId` and a `code` (a current TOTP code or a recovery code). The answer is the Login API's for
 * the user (200/202/203 with tokens and user), plus `twoFactorTrustId` and the `fusionauth.trust` cookie
 * when `trustComputer` is true. 404: unknown, expired, used or exhausted `twoFactorId` (start again at
 * /api/login); 421: wrong code; 423: the user is locked (wrong codes count towards the tenant's lockout);
 * 429 with Retry-After: too many attempts from this address.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, StatusError } from '../model/errors.js';
import { isObject, optionalBoolean, optionalString, optionalUuid, requiredString } from '../model/input.js';
import type { Application } from '../model/types.js';
import { completeChallenge, issueTrust, takeCodeAttempt, trustCookie } from '../services/two-factor/index.js';
import { bodyOf } from './common.js';
import { answerLogin } from './login.js';

export function registerTwoFactorLoginRoute(app: FastifyInstance, ctx: IdpContext): void {
  app.post('/api/two-factor/login', { config: { auth: 'none' } }, async (request, reply) => {
    const retryAfter = takeCodeAttempt(ctx, request.ip);
    if (retryAfter !== undefined) return reply.code(429).header('retry-after', String(retryAfter)).send();
    const body = bodyOf(request);
    const errors = new ApiErrors();
    const twoFactorId = requiredString(errors, body, 'twoFactorId', 'twoFactorId');
    const code = requiredString(errors, body, 'code', 'code');
    const trustComputer = optionalBoolean(errors, body, 'trustComputer', 'trustComputer') ?? false;
    const applicationId = optionalUuid(errors, body, 'applicationId', 'applicationId');
    const noJWT = optionalBoolean(errors, body, 'noJWT', 'noJWT');
    optionalString(errors, body, 'ipAddress', 'ipAddress');
    if (body.metaData !== undefined && body.metaData !== null && !isObject(body.metaData)) errors.invalid('metaData', 'The [metaData] property must be an object.');
    errors.throwIfAny();

    const result = await completeChallenge(ctx, twoFactorId!, 'api', code!);
    if (result.status !== 200) throw new StatusError(result.status);
    const { pending, tenant, user } = result;
    const appId = applicationId ?? pending.applicationId;
    let application: Application | undefined;
    if (appId !== undefined) {
      application = await ctx.storage.applications.get(appId);
      if (application === undefined || application.tenantId !== tenant.id) fieldError('applicationId', 'invalid', `The Application Id [${appId}] is not valid.`);
    }
    const registration = application === undefined ? undefined : await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id });
    const extra: Record<string, unknown> = {};
    const cookies: string[] = [];
    if (trustComputer) {
      const trust = await issueTrust(ctx, tenant, user.id);
      extra.twoFactorTrustId = trust.value;
      cookies.push(trustCookie(request, trust.value, trust.maxAgeSeconds));
    }
    const metaData = isObject(body.metaData) ? body.metaData : pending.metaData;
    return answerLogin(ctx, request, reply, {
      tenant,
      application,
      user,
      registration,
      noJWT: noJWT ?? pending.noJWT ?? false,
      metaData,
      authenticationType: 'PASSWORD',
      extra,
      cookies,
    });
  });
}
