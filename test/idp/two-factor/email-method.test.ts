/**
 * The email two-factor method through FusionAuth's API and the real `@fusionauth/typescript-client`, with
 * a real SMTP server (smtp-server + mailparser) and the tenant's mailer, on SQLite and PostgreSQL: the
 * tenant must allow it (template required, SMS still refused); `sendTwoFactorCodeForEnableDisable` emails a
 * 6-digit code to the address being enabled, which enables the method once (recovery codes on the first
 * method); `/api/login` answers 242 listing the email method; `sendTwoFactorCodeForLoginUsingMethod`
 * emails a login code, stored only as its salted SHA-256, replaced by the next send, dead after the
 * tenant's `twoFactorOneTimeCodeIdTimeToLiveInSeconds`, and completing `/api/two-factor/login` once; the
 * sixth send within a minute is refused (429); disabling takes a code emailed for that method; no code
 * reaches the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ENGINES } from '../engines.js';
import { mailboxEmailConfiguration, startMailbox, type ReceivedMail } from '../../support/mailbox.js';
import { startTwoFactorIdp, statusOf } from './support.js';

const TEMPLATE = '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0004';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function codeIn(mail: ReceivedMail): string {
  const match = /verification code is (\d{6})\b/.exec(mail.text);
  assert.ok(match, `no code in "${mail.text}"`);
  return match[1]!;
}

for (const engine of ENGINES) {
  test(`email method: tenant switch, enable with an emailed code, 242, login code single-use/expiring/hashed, rate limit, disable (${engine})`, async (t) => {
    const fx = await startTwoFactorIdp(t, engine);
    if (fx === undefined) return;
    const mailbox = await startMailbox();
    try {
      const { client, clock, idp } = fx;
      const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
      const app = (await idp.api('POST', '/api/application', { application: { name: 'Mail MFA' } })).body.application;
      const userId = (await client.register(null as never, { user: { email: 'ann@example.com', password: 'two factor password', firstName: 'Ann' }, registration: { applicationId: app.id } })).response.user!.id!;

      // the tenant decides: off by default, a template is required, SMS stays unimplemented
      const off = await idp.api('POST', '/api/two-factor/send', { userId, method: 'email', email: 'ann@example.com' });
      assert.equal(off.status, 400);
      assert.equal(off.body.generalErrors[0].code, '[EmailTwoFactorNotEnabled]');
      const noTemplate = await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { multiFactorConfiguration: { email: { enabled: true } } } });
      assert.equal(noTemplate.body.fieldErrors['tenant.multiFactorConfiguration.email.templateId'][0].code, '[blank]tenant.multiFactorConfiguration.email.templateId');
      const sms = await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { multiFactorConfiguration: { sms: { enabled: true } } } });
      assert.equal(sms.body.fieldErrors['tenant.multiFactorConfiguration.sms.enabled'][0].code, '[notImplemented]tenant.multiFactorConfiguration.sms.enabled');
      const on = await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox), multiFactorConfiguration: { email: { enabled: true, templateId: TEMPLATE } } } });
      assert.equal(on.status, 200, JSON.stringify(on.body));
      assert.equal(on.body.tenant.multiFactorConfiguration.email.templateId, TEMPLATE);

      // enable: a code to the address being enabled
      assert.equal((await client.sendTwoFactorCodeForEnableDisable({ userId, method: 'email', email: 'ann.mfa@example.com' })).statusCode, 200);
      const enableMail = await mailbox.next('ann.mfa@example.com');
      assert.match(enableMail.subject, /verification code/);
      assert.match(enableMail.text, /Hello Ann,/);
      const enableCode = codeIn(enableMail);
      const pendingUser = JSON.stringify((await client.retrieveUser(userId)).response);
      assert.ok(!pendingUser.includes('emailCode') && !pendingUser.includes(`"${enableCode}"`), 'the pending code is not in the user the API returns');
      assert.equal(await statusOf(client.enableTwoFactor(userId, { method: 'email', email: 'other@example.com', code: enableCode })), 421, 'the code is for the address it was sent to');
      assert.equal(await statusOf(client.enableTwoFactor(userId, { method: 'email', email: 'ann.mfa@example.com', code: enableCode === '000000' ? '000001' : '000000' })), 421, 'a wrong code');
      const enabled = await client.enableTwoFactor(userId, { method: 'email', email: 'ann.mfa@example.com', code: enableCode });
      assert.equal(enabled.statusCode, 200);
      assert.equal(enabled.response.recoveryCodes!.length, 10, 'the first method brings recovery codes');
      assert.equal(await statusOf(client.enableTwoFactor(userId, { method: 'email', email: 'ann.mfa@example.com', code: enableCode })), 421, 'the enable code works once');
      const methods = (await client.retrieveUser(userId)).response.user!.twoFactor!.methods!;
      assert.equal(methods.length, 1);
      assert.equal(methods[0]!.method, 'email');
      assert.equal(methods[0]!.email, 'ann.mfa@example.com');
      const methodId = methods[0]!.id!;

      // login: 242 listing the email method; a code sent for it
      const challenged = await client.login({ loginId: 'ann@example.com', password: 'two factor password', applicationId: app.id });
      assert.equal(challenged.statusCode, 242);
      assert.deepEqual(challenged.response.methods, [{ id: methodId, method: 'email', email: 'ann.mfa@example.com' }]);
      const twoFactorId = challenged.response.twoFactorId!;
      assert.equal(await statusOf(client.sendTwoFactorCodeForLoginUsingMethod(twoFactorId, { methodId: 'ZZZZ' })), 400, 'not a method of the user');
      assert.equal(await statusOf(client.sendTwoFactorCodeForLoginUsingMethod('no-such-two-factor-id', { methodId })), 404);

      assert.equal((await client.sendTwoFactorCodeForLoginUsingMethod(twoFactorId, { methodId })).statusCode, 200);
      const first = codeIn(await mailbox.next('ann.mfa@example.com'));
      const stored = await fx.dump();
      assert.ok(stored.includes(sha256(`${sha256(twoFactorId)}:${first}`)), 'the code is stored as its salted SHA-256');
      assert.ok(!stored.includes(`"${first}"`), 'and not in clear');
      // a code dies after the tenant's one-time code lifetime (60 s by default)
      clock.ms += 61_000;
      assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId, code: first })), 421, 'expired');
      // a new send replaces the earlier code
      await client.sendTwoFactorCodeForLoginUsingMethod(twoFactorId, { methodId });
      const second = codeIn(await mailbox.next('ann.mfa@example.com'));
      await client.sendTwoFactorCodeForLogin(twoFactorId); // the deprecated call: no body, the user's one email method
      const third = codeIn(await mailbox.next('ann.mfa@example.com'));
      if (second !== third) assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId, code: second })), 421, 'replaced by the next send');
      const done = await client.twoFactorLogin({ twoFactorId, code: third });
      assert.equal(done.statusCode, 200);
      assert.ok(done.response.token);
      assert.equal(done.response.user!.id, userId);
      assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId, code: third })), 404, 'single use: the login is complete');

      // at most 5 codes a minute for one user
      clock.ms += 120_000;
      const again = (await client.login({ loginId: 'ann@example.com', password: 'two factor password' })).response.twoFactorId!;
      for (let i = 0; i < 5; i++) assert.equal((await client.sendTwoFactorCodeForLoginUsingMethod(again, { methodId })).statusCode, 200);
      const limited = await fetch(`${idp.url}/api/two-factor/send/${again}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ methodId }) });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      for (let i = 0; i < 5; i++) await mailbox.next('ann.mfa@example.com');

      // disable: a code emailed for the method
      clock.ms += 120_000;
      assert.equal(await statusOf(client.disableTwoFactor(userId, methodId, '123456')), 421, 'no code was sent for disabling');
      assert.equal((await client.sendTwoFactorCodeForEnableDisable({ userId, methodId })).statusCode, 200);
      const disableCode = codeIn(await mailbox.next('ann.mfa@example.com'));
      assert.equal((await client.disableTwoFactor(userId, methodId, disableCode)).statusCode, 200);
      assert.equal((await client.retrieveUser(userId)).response.user!.twoFactor, undefined, 'no method left');
      assert.equal((await client.login({ loginId: 'ann@example.com', password: 'two factor password' })).statusCode, 200);

      const logs = idp.logLines.join('\n');
      for (const code of [enableCode, first, second, third, disableCode]) assert.ok(!new RegExp(`(?<![0-9a-f])${code}(?![0-9a-f])`).test(logs), 'no code in the log');
    } finally {
      await mailbox.close();
      await fx.close();
    }
  });
}
