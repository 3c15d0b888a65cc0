/**
 * Points the demo tenant's email at the development mailbox (mailbox.ts), at every start (its port is
 * new each time): plain SMTP to 127.0.0.1, the built-in forgot-password and verification templates, so
 * "Forgot password?" on the hosted login page and the email APIs work out of the box. Email verification
 * itself stays off (FusionAuth's default); docs/idp.md shows how to turn it on.
 */
import { FORGOT_PASSWORD_TEMPLATE_ID, VERIFICATION_TEMPLATE_ID } from '../../idp/services/mail/index.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { DemoState } from './demo-state.js';
import { idpCall } from './demo-admin.js';

export async function configureDemoMail(idpUrl: string, state: DemoState, smtpPort: number): Promise<void> {
  const app = await idpCall(idpUrl, state.adminApiKey, 'GET', `/api/application/${state.applicationId}`);
  if (app.status !== 200) throw new GatehouseError(ErrorCode.IDP_ADMIN_SETUP, `up: could not read the demo application to set up email (HTTP ${app.status})`);
  const tenantId = app.json.application.tenantId as string;
  const emailConfiguration = {
    host: '127.0.0.1',
    port: smtpPort,
    security: 'NONE',
    defaultFromEmail: 'no-reply@localhost',
    defaultFromName: 'Gatehouse (development)',
    forgotPasswordEmailTemplateId: FORGOT_PASSWORD_TEMPLATE_ID,
    verificationEmailTemplateId: VERIFICATION_TEMPLATE_ID,
  };
  const patched = await idpCall(idpUrl, state.adminApiKey, 'PATCH', `/api/tenant/${tenantId}`, { tenant: { emailConfiguration } });
  if (patched.status !== 200) throw new GatehouseError(ErrorCode.IDP_ADMIN_SETUP, `up: could not point the demo tenant's email at the development mailbox (HTTP ${patched.status})`);
}

/** The walkthrough's paragraph on email. */
export function renderMailNote(mailDir: string, smtpPort: number, idpUrl: string): string {
  return `
Email (reset password, verify email) goes to a development mailbox, SMTP on 127.0.0.1:${smtpPort}:
every message is stored in ${mailDir}/ (a readable .txt and the .eml), listed at ${idpUrl}/admin/mail.
The newest one:

ls -t ${mailDir}/*.txt | head -1 | xargs cat
`;
}
