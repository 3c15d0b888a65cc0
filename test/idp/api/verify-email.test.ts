/**
 * Email verification with a real SMTP server, on SQLite and PostgreSQL: with the tenant's `verifyEmail`
 * on, a user created through the API starts unverified and is emailed a `/email/verify/{id}` link (the
 * create answers `emailVerificationId`; `skipVerification` skips it); the hosted page verifies only on its
 * CSRF-protected button, once; resend and generate (`sendVerifyEmail=false`, API key only) as the
 * FusionAuth client calls them; with `verifyEmailWhenChanged`, a new address is unverified again and the
 * old id is void; a password reset through the emailed link verifies the address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { ENGINES, startIdpOn } from '../engines.js';
import { mailboxEmailConfiguration, startMailbox } from '../../support/mailbox.js';
import { message, openForm } from '../hosted/support.js';

const HASHING = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

for (const engine of ENGINES) {
  test(`${engine}: verify email on create, by link and button, resend, generate, on address change`, async (t) => {
    const idp = await startIdpOn(t, engine, { passwordHashing: HASHING });
    if (idp === undefined) return;
    const mailbox = await startMailbox();
    try {
      const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
      const missing = await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { emailConfiguration: { verifyEmail: true } } });
      assert.equal(missing.body.fieldErrors['tenant.emailConfiguration.verificationEmailTemplateId'][0].code, '[blank]tenant.emailConfiguration.verificationEmailTemplateId');
      const configured = await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox, { verifyEmail: true, verifyEmailWhenChanged: true }) } });
      assert.equal(configured.status, 200, configured.text);

      const created = await idp.api('POST', '/api/user', { user: { email: 'Vera@Example.com', password: 'vera-password', firstName: 'Vera' } });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.user.verified, false);
      const returnedId = created.body.emailVerificationId as string;
      assert.match(returnedId, /^[A-Za-z0-9_-]{43}$/);
      const skipped = await idp.api('POST', '/api/user', { user: { email: 'skip@example.com', password: 'skip-password' }, skipVerification: true });
      assert.equal(skipped.body.user.verified, true);
      assert.equal(skipped.body.emailVerificationId, undefined);

      const mail = await mailbox.next('vera@example.com');
      assert.match(mail.subject, /Verify your email address/);
      const link = mailbox.link(mail);
      assert.equal(new URL(link).pathname, `/email/verify/${returnedId}`);
      assert.equal((await idp.api('GET', `/api/user?verificationId=${returnedId}`)).body.user.email, 'vera@example.com');

      const page = await openForm(link);
      assert.equal(page.page.status, 200);
      assert.equal((await idp.api('GET', `/api/user/${created.body.user.id}`)).body.user.verified, false, 'opening the link (a mail scanner) verifies nothing');
      assert.equal((await page.submit({}, (f) => f.set('csrf', 'y'.repeat(43)))).status, 403);
      const verified = await page.submit({});
      assert.equal(verified.status, 200);
      assert.match(message(verified.html), /verified/);
      assert.equal((await idp.api('GET', `/api/user/${created.body.user.id}`)).body.user.verified, true);
      assert.equal((await openForm(link)).page.status, 404, 'single use');

      const anon = new FusionAuthClient('', idp.url);
      const keyed = new FusionAuthClient(idp.adminKey, idp.url);
      assert.equal((await anon.verifyEmailAddress({ verificationId: returnedId }).catch((e: { statusCode: number }) => e)).statusCode, 404);
      const resent = await fetch(`${idp.url}/api/user/verify-email?email=vera@example.com`, { method: 'PUT' });
      assert.equal(resent.status, 200);
      assert.equal(await resent.text(), '');
      assert.match(mailbox.link(await mailbox.next('vera@example.com')), /\/email\/verify\//);
      assert.equal((await fetch(`${idp.url}/api/user/verify-email?email=vera@example.com&sendVerifyEmail=false`, { method: 'PUT' })).status, 401, 'only an API key gets the id');
      assert.equal((await fetch(`${idp.url}/api/user/verify-email?email=nobody@example.com`, { method: 'PUT' })).status, 404);
      const generated = (await keyed.generateEmailVerificationId('vera@example.com')).response.verificationId!;

      const changed = await idp.api('PATCH', `/api/user/${created.body.user.id}`, { user: { email: 'vera.new@example.com' } });
      assert.equal(changed.body.user.verified, false, 'verifyEmailWhenChanged');
      assert.ok(changed.body.emailVerificationId);
      await mailbox.next('vera.new@example.com');
      assert.equal((await anon.verifyEmailAddress({ verificationId: generated }).catch((e: { statusCode: number }) => e)).statusCode, 404, 'an id for the old address is void');

      // a reset through the emailed link proves the address (implicitEmailVerificationAllowed)
      assert.equal((await anon.forgotPassword({ loginId: 'vera.new@example.com' })).statusCode, 200);
      const resetId = /\/password\/change\/([^?]+)/.exec(mailbox.link(await mailbox.next('vera.new@example.com')))![1]!;
      assert.equal((await anon.changePassword(resetId, { password: 'vera-password-2' })).statusCode, 200);
      assert.equal((await idp.api('GET', `/api/user/${created.body.user.id}`)).body.user.verified, true);

      assert.equal((await keyed.verifyEmailAddressByUserId({ userId: skipped.body.user.id })).statusCode, 200);
      assert.equal((await anon.verifyEmailAddress({ verificationId: 'x', oneTimeCode: '123456' }).catch((e: { statusCode: number; exception: any }) => e.exception)).fieldErrors.oneTimeCode[0].code, '[notImplemented]oneTimeCode');
    } finally {
      await idp.close();
      await mailbox.close();
    }
  });
}
