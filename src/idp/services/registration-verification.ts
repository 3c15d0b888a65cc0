/**
 * Registration verification (FusionAuth's `application.verifyRegistration`): a registration made while
 * it is on starts `verified: false` and the user is emailed a link to `/registration/verify/{id}` with the
 * application's `verificationEmailTemplateId` (the built-in registration-verification template). The id
 * is single use, stored hashed, bound to the application, and lives the tenant's
 * `externalIdentifierConfiguration.registrationVerificationIdTimeToLiveInSeconds` (default 24 h).
 */
import type { IdpContext } from '../context.js';
import type { ApiErrors } from '../model/errors.js';
import { optionalBoolean, optionalString, type Body } from '../model/input.js';
import type { Application, Registration, Tenant, User } from '../model/types.js';
import { REGISTRATION_VERIFICATION_TEMPLATE_ID, sendTemplatedEmail } from './mail/index.js';
import { codeTtlSeconds, consumeUserCode, findUserCode, issueUserCode } from './user-codes.js';

/** Checks `verifyRegistration`, `verificationEmailTemplateId` and `verificationStrategy` of an application document. */
export function validateRegistrationVerification(errors: ApiErrors, application: Body): void {
  const on = optionalBoolean(errors, application, 'verifyRegistration', 'application.verifyRegistration');
  const template = optionalString(errors, application, 'verificationEmailTemplateId', 'application.verificationEmailTemplateId');
  if (template !== undefined && template !== '' && template.toLowerCase() !== REGISTRATION_VERIFICATION_TEMPLATE_ID) {
    errors.invalid('application.verificationEmailTemplateId', `The [application.verificationEmailTemplateId] property must be the built-in registration verification template [${REGISTRATION_VERIFICATION_TEMPLATE_ID}] (see docs/idp.md, "Email").`);
  }
  if (on === true && (template === undefined || template === '')) errors.blank('application.verificationEmailTemplateId', 'You must specify the [application.verificationEmailTemplateId] property when [verifyRegistration] is true.');
  const strategy = optionalString(errors, application, 'verificationStrategy', 'application.verificationStrategy');
  if (strategy === 'FormField') errors.field('application.verificationStrategy', 'notImplemented', 'Gatehouse implements only [ClickableLink] for [application.verificationStrategy].');
  else if (strategy !== undefined && strategy !== 'ClickableLink') errors.invalid('application.verificationStrategy', 'The [application.verificationStrategy] property must be ClickableLink or FormField.');
}

export function registrationVerificationApplies(application: Application): boolean {
  return application.verifyRegistration === true && typeof application.verificationEmailTemplateId === 'string' && application.verificationEmailTemplateId !== '';
}

/** The registration as a new one awaiting verification. */
export function unverified(registration: Registration): Registration {
  const { verifiedInstant: _none, ...rest } = registration;
  return { ...rest, verified: false };
}

/** Issues a verification id for the user's registration to `application` and, when `send`, emails the link. */
export async function startRegistrationVerification(ctx: IdpContext, tenant: Tenant, application: Application, user: User, send: boolean): Promise<string> {
  const id = await issueUserCode(ctx, tenant, 'registrationVerification', user, { applicationId: application.id });
  if (send) {
    sendTemplatedEmail(ctx, {
      tenant,
      application,
      user,
      templateId: application.verificationEmailTemplateId as string,
      path: `/registration/verify/${encodeURIComponent(id)}?${new URLSearchParams({ tenantId: tenant.id, client_id: application.id }).toString()}`,
      minutes: Math.max(1, Math.round(codeTtlSeconds(tenant, 'registrationVerification') / 60)),
    });
  }
  return id;
}

async function registrationOf(ctx: IdpContext, userId: string, applicationId: string | undefined): Promise<Registration | undefined> {
  return applicationId === undefined ? undefined : ctx.storage.registrations.findOne({ user_id: userId, application_id: applicationId });
}

/** The registration a live id is for (without using it). */
export async function registrationForVerificationId(ctx: IdpContext, id: string | undefined): Promise<{ user: User; registration: Registration } | undefined> {
  const code = await findUserCode(ctx, 'registrationVerification', id);
  const user = code === undefined ? undefined : await ctx.storage.users.get(code.userId);
  const registration = user === undefined ? undefined : await registrationOf(ctx, user.id, code!.applicationId);
  return user === undefined || registration === undefined ? undefined : { user, registration };
}

/** Uses an id: marks its registration verified; undefined when the id is unknown, spent or expired. */
export async function completeRegistrationVerification(ctx: IdpContext, id: string | undefined): Promise<Registration | undefined> {
  const code = await consumeUserCode(ctx, 'registrationVerification', id);
  if (code === undefined) return undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const registration = await registrationOf(ctx, code.userId, code.applicationId);
    if (registration === undefined) return undefined;
    if (registration.verified) return registration;
    const now = ctx.now();
    const next: Registration = { ...registration, verified: true, verifiedInstant: now, lastUpdateInstant: now };
    if (await ctx.storage.registrations.updateIfUnchanged(registration, next)) return next;
  }
  return undefined;
}
