/**
 * Registration verification with a real SMTP server, on SQLite and PostgreSQL: an application with
 * `verifyRegistration` needs the built-in template; a registration made then starts unverified (an
 * update keeps it so) and the user is emailed a `/registration/verify/{id}` link (the answer carries
 * `registrationVerificationId`; `skipRegistrationVerification` skips it); the hosted page verifies on its
 * CSRF-protected button, once; resend and generate as the FusionAuth client calls them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { ENGINES, startIdpOn } from '../engines.js';
import { mailboxEmailConfiguration, startMailbox } from '../../support/mailbox.js';
import { message, openForm } from '../hosted/support.js';

const HASHING = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const TEMPLATE = '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0003';

for (const engine of ENGINES) {
  test(`${engine}: registration verification by emailed link, resend and generate`, async (t) => {
    const idp = await startIdpOn(t, engine, { passwordHashing: HASHING });
    if (idp === undefined) return;
    const mailbox = await startMailbox();
    try {
      const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
      await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox) } });
      const missing = await idp.api('POST', '/api/application', { application: { name: 'Club', verifyRegistration: true } });
      assert.equal(missing.body.fieldErrors['application.verificationEmailTemplateId'][0].code, '[blank]application.verificationEmailTemplateId');
      const app = (await idp.api('POST', '/api/application', { application: { name: 'Club', verifyRegistration: true, verificationEmailTemplateId: TEMPLATE } })).body.application;

      const made = await idp.api('POST', '/api/user/registration', { user: { email: 'rae@example.com', password: 'rae-password' }, registration: { applicationId: app.id } });
      assert.equal(made.status, 200, made.text);
      assert.equal(made.body.registration.verified, false);
      const returnedId = made.body.registrationVerificationId as string;
      assert.match(returnedId, /^[A-Za-z0-9_-]{43}$/);
      const userId = made.body.user.id as string;
      const skipped = await idp.api('POST', '/api/user/registration', { user: { email: 'sid@example.com', password: 'sid-password' }, registration: { applicationId: app.id }, skipRegistrationVerification: true });
      assert.equal(skipped.body.registration.verified, true);
      assert.equal(skipped.body.registrationVerificationId, undefined);

      const mail = await mailbox.next('rae@example.com');
      assert.match(mail.subject, /Confirm your registration for Club/);
      const link = mailbox.link(mail);
      assert.equal(new URL(link).pathname, `/registration/verify/${returnedId}`);
      await idp.api('PATCH', `/api/user/registration/${userId}/${app.id}`, { registration: { data: { plan: 'basic' } } });
      assert.equal((await idp.api('GET', `/api/user/registration/${userId}/${app.id}`)).body.registration.verified, false, 'an update does not verify');

      const page = await openForm(link);
      assert.equal(page.page.status, 200);
      assert.equal((await page.submit({}, (f) => f.delete('csrf'))).status, 403);
      const done = await page.submit({});
      assert.equal(done.status, 200);
      assert.match(message(done.html), /registration is confirmed/);
      assert.equal((await idp.api('GET', `/api/user/registration/${userId}/${app.id}`)).body.registration.verified, true);
      assert.equal((await openForm(link)).page.status, 404, 'single use');

      const anon = new FusionAuthClient('', idp.url);
      const keyed = new FusionAuthClient(idp.adminKey, idp.url);
      assert.equal((await fetch(`${idp.url}/api/user/verify-registration?email=rae@example.com&applicationId=${app.id}`, { method: 'PUT' })).status, 200);
      assert.match(mailbox.link(await mailbox.next('rae@example.com')), /\/registration\/verify\//);
      assert.equal((await fetch(`${idp.url}/api/user/verify-registration?email=rae@example.com&applicationId=${app.id}&sendVerifyPasswordEmail=false`, { method: 'PUT' })).status, 401);
      assert.equal((await fetch(`${idp.url}/api/user/verify-registration?email=nobody@example.com&applicationId=${app.id}`, { method: 'PUT' })).status, 404);
      const generated = (await keyed.generateRegistrationVerificationId('sid@example.com', app.id)).response.verificationId!;
      assert.equal((await anon.verifyUserRegistration({ verificationId: generated })).statusCode, 200);
      assert.equal((await anon.verifyRegistration(generated).catch((e: { statusCode: number }) => e)).statusCode, 404, 'spent');
      const plain = (await idp.api('POST', '/api/application', { application: { name: 'Open' } })).body.application;
      assert.equal((await keyed.generateRegistrationVerificationId('sid@example.com', plain.id).catch((e: { statusCode: number }) => e)).statusCode, 403, 'the application does not verify registrations');
    } finally {
      await idp.close();
      await mailbox.close();
    }
  });
}
