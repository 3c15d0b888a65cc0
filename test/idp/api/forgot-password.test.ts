/**
 * Forgot password through a real SMTP server, on SQLite and PostgreSQL: the tenant's emailConfiguration
 * (with SMTP authentication; the password never comes back), 403 before a template is configured, 404 for
 * an unknown user, the emailed link's change-password id that checks, refuses a weak password without
 * being spent, changes the password once, revokes the refresh tokens and dies after its lifetime; an
 * API-key caller's `sendForgotPasswordEmail: false` gets the id instead of an email; anonymous callers may
 * not ask for that; the id is stored only as its SHA-256; the fourth email to one login id within the
 * window is refused (429); no id or SMTP password reaches the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { ENGINES, startIdpOn } from '../engines.js';
import { mailboxEmailConfiguration, startMailbox } from '../../support/mailbox.js';

const HASHING = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const SMTP = { username: 'smtp-user', password: 'smtp-secret-8c1f2e' };

for (const engine of ENGINES) {
  test(`${engine}: forgot password emails a single-use, expiring, hashed change-password link`, async (t) => {
    let clock = Date.now();
    const idp = await startIdpOn(t, engine, { passwordHashing: HASHING, now: () => clock });
    if (idp === undefined) return;
    const mailbox = await startMailbox({ auth: SMTP });
    try {
      const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
      const app = (await idp.api('POST', '/api/application', { application: { name: 'Forgot', loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true } } })).body.application;
      await idp.api('POST', '/api/user/registration', { user: { email: 'ann@example.com', password: 'first-password', firstName: 'Ann' }, registration: { applicationId: app.id } });
      const session = (await idp.api('POST', '/api/login', { loginId: 'ann@example.com', password: 'first-password', applicationId: app.id })).body;
      assert.ok(session.refreshToken);
      const anon = (body: unknown) => fetch(`${idp.url}/api/user/forgot-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

      assert.equal((await anon({ loginId: 'ann@example.com' })).status, 403, 'no forgot-password template yet: 403');

      const patched = await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox, SMTP) } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.tenant.emailConfiguration.username, SMTP.username);
      assert.equal(patched.body.tenant.emailConfiguration.password, undefined, 'the SMTP password is not returned');
      assert.ok(!(await idp.api('GET', `/api/tenant/${tenantId}`)).text.includes(SMTP.password));
      const unknownTemplate = await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { emailConfiguration: { setPasswordEmailTemplateId: '7b1d4c1e-0000-4000-8000-000000000000' } } });
      assert.equal(unknownTemplate.body.fieldErrors['tenant.emailConfiguration.setPasswordEmailTemplateId'][0].code, '[notImplemented]tenant.emailConfiguration.setPasswordEmailTemplateId');

      assert.equal((await anon({ loginId: 'nobody@example.com' })).status, 404, "the API says so (FusionAuth's answer); the hosted page does not");
      assert.equal((await anon({ loginId: 'ann@example.com', sendForgotPasswordEmail: false })).status, 401, 'only an API key may skip the email');

      const sent = await anon({ loginId: 'ann@example.com', applicationId: app.id });
      assert.equal(sent.status, 200);
      assert.equal(await sent.text(), '', 'no id when the email is sent');
      const mail = await mailbox.next('ann@example.com');
      assert.equal(mail.user, SMTP.username, 'sent with the tenant SMTP credentials');
      assert.match(mail.subject, /Reset your Forgot password/);
      assert.match(mail.from, /no-reply@gatehouse\.test/);
      assert.match(mail.text, /Hello Ann,/);
      const link = new URL(mailbox.link(mail));
      assert.equal(link.origin, idp.url, 'the link points at the IdP');
      const match = /^\/password\/change\/([A-Za-z0-9_-]{43})$/.exec(link.pathname);
      assert.ok(match, link.pathname);
      const id = match[1]!;
      assert.equal(link.searchParams.get('tenantId'), tenantId);
      assert.equal(link.searchParams.get('client_id'), app.id);

      const client = new FusionAuthClient('', idp.url);
      assert.equal((await client.checkChangePasswordUsingId(id)).statusCode, 200);
      const weak = await client.changePassword(id, { password: 'short' }).catch((e: { statusCode: number; exception: any }) => e);
      assert.equal(weak.statusCode, 400);
      assert.equal((weak as { exception: any }).exception.fieldErrors.password[0].code, '[tooShort]password');
      assert.equal((await client.changePassword(id, { password: 'second-password' })).statusCode, 200, 'a refused password did not spend the id');
      assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: session.refreshToken })).status, 400, 'the refresh token was revoked');
      assert.equal((await idp.api('POST', '/api/login', { loginId: 'ann@example.com', password: 'second-password' })).status, 200);
      assert.equal((await idp.api('POST', '/api/login', { loginId: 'ann@example.com', password: 'first-password' })).status, 404);
      assert.equal((await client.changePassword(id, { password: 'third-password' }).catch((e: { statusCode: number }) => e)).statusCode, 404, 'single use');
      assert.equal((await client.checkChangePasswordUsingId(id).catch((e: { statusCode: number }) => e)).statusCode, 404);

      const keyed = new FusionAuthClient(idp.adminKey, idp.url);
      const generated = await keyed.forgotPassword({ loginId: 'ann@example.com', sendForgotPasswordEmail: false });
      const cpid = generated.response.changePasswordId!;
      assert.match(cpid, /^[A-Za-z0-9_-]{43}$/);
      assert.equal((await keyed.retrieveUser((await keyed.retrieveUserByEmail('ann@example.com')).response.user!.id!)).response.user!.email, 'ann@example.com');
      assert.equal((await idp.api('GET', `/api/user?changePasswordId=${cpid}`)).body.user.email, 'ann@example.com', 'the user by change-password id');
      if (engine === 'sqlite') {
        const file = Buffer.concat(['idp.sqlite', 'idp.sqlite-wal'].filter((n) => existsSync(join(idp.dir, n))).map((n) => readFileSync(join(idp.dir, n))));
        assert.ok(!file.includes(Buffer.from(cpid)), 'the id is not stored in clear');
        assert.ok(file.includes(Buffer.from(createHash('sha256').update(cpid).digest('hex'))), 'its SHA-256 is');
      }
      clock += 601_000;
      assert.equal((await client.checkChangePasswordUsingId(cpid).catch((e: { statusCode: number }) => e)).statusCode, 404, 'expired after the default 600 s');

      // three emails per login id per window; the fourth is refused, and sends nothing
      for (let i = 0; i < 2; i++) assert.equal((await anon({ loginId: 'ann@example.com' })).status, 200);
      assert.equal((await anon({ loginId: 'ann@example.com' })).status, 429);
      clock += 15 * 60_000 + 1;
      assert.equal((await anon({ loginId: 'ann@example.com' })).status, 200, 'a new window');

      const logs = idp.logLines.join('\n');
      assert.ok(!logs.includes(SMTP.password), 'the SMTP password is never logged');
      assert.ok(!logs.includes(id) && !logs.includes(cpid), 'no change-password id is logged');
    } finally {
      await idp.close();
      await mailbox.close();
    }
  });
}
