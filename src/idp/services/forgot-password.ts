/**
 * Forgot password, apart from HTTP (the API route and the hosted page share it): finds the user, issues a
 * change-password id (single use, stored hashed, `changePasswordIdTimeToLiveInSeconds`) and emails the
 * link to `/password/change/{changePasswordId}` with the tenant's `forgotPasswordEmailTemplateId`.
 *
 * Outcomes as FusionAuth's API answers them: 404 no such user; 403 the email cannot be sent because the
 * tenant names no forgot-password template; 422 the user has no email address; else 200, with the id
 * itself only when no email was sent (`send: false`, an API-key caller's choice).
 */
import type { IdpContext } from '../context.js';
import type { Application, Json, Tenant } from '../model/types.js';
import { emailAddressOf, emailConfiguration, sendTemplatedEmail } from './mail/index.js';
import { codeTtlSeconds, issueUserCode } from './user-codes.js';
import { findByLoginId } from './users.js';

export type ForgotPasswordOutcome = { status: 403 | 404 | 422 } | { status: 200; changePasswordId?: string };

export interface ForgotPasswordRequest {
  tenant: Tenant;
  application?: Application;
  loginId: string;
  loginIdTypes?: readonly string[];
  send: boolean;
  state?: Json;
}

/** The path of the hosted change-password page for a change-password id. */
export function changePasswordPath(changePasswordId: string, tenant: Tenant, application?: Application): string {
  const query = new URLSearchParams({ tenantId: tenant.id, ...(application === undefined ? {} : { client_id: application.id }) });
  return `/password/change/${encodeURIComponent(changePasswordId)}?${query.toString()}`;
}

/** Whether the tenant can send forgot-password emails (a template is named). */
export function forgotPasswordEmailConfigured(tenant: Tenant): boolean {
  const id = emailConfiguration(tenant).forgotPasswordEmailTemplateId;
  return id !== undefined && id !== '';
}

export async function forgotPassword(ctx: IdpContext, request: ForgotPasswordRequest): Promise<ForgotPasswordOutcome> {
  const { tenant, application } = request;
  const user = await findByLoginId(ctx, tenant.id, request.loginId, request.loginIdTypes);
  if (user === undefined || !user.active) return { status: 404 };
  if (request.send && !forgotPasswordEmailConfigured(tenant)) return { status: 403 };
  const templateId = emailConfiguration(tenant).forgotPasswordEmailTemplateId;
  const to = emailAddressOf(user);
  if (request.send && to === undefined) return { status: 422 };
  const id = await issueUserCode(ctx, tenant, 'changePassword', user, {
    ...(application === undefined ? {} : { applicationId: application.id }),
    ...(request.send && to !== undefined ? { email: to } : {}),
    ...(request.state === undefined ? {} : { state: request.state }),
  });
  if (!request.send) return { status: 200, changePasswordId: id };
  sendTemplatedEmail(ctx, {
    tenant,
    ...(application === undefined ? {} : { application }),
    user,
    templateId: templateId!,
    path: changePasswordPath(id, tenant, application),
    minutes: Math.max(1, Math.round(codeTtlSeconds(tenant, 'changePassword') / 60)),
  });
  return { status: 200 };
}
