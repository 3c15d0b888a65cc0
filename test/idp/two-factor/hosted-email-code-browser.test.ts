/**
 * The hosted code page for a user whose method is email, in real Chromium (JavaScript off) with a real SMTP
 * server: after the password the page offers "Send a code by email" (a form with the CSRF token); the
 * click emails a 6-digit code through the tenant's mailer and shows where it went (masked); a wrong code is
 * refused inline; the emailed code redirects to the application with an authorization code that redeems.
 * A send without the CSRF token is refused (403) and sends nothing. Screenshots at desktop and 375 px go
 * to test-artifacts/two-factor/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../admin/browser.js';
import { shots } from './screenshots.js';
import { postForm, startOAuthFixture } from '../oauth/support.js';
import { mailboxEmailConfiguration, startMailbox } from '../../support/mailbox.js';

test('hosted sign-in with the email method: "Send a code by email", the emailed code completes it', async (t) => {
  const fx = await startOAuthFixture({ webOauth: { proofKeyForCodeExchangePolicy: 'NotRequired' } });
  const mailbox = await startMailbox();
  const browser = await launchChromium(t);
  try {
    if (browser === undefined) return;
    const tenant = await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox), multiFactorConfiguration: { email: { enabled: true, templateId: '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0004' } } } });
    assert.equal(tenant.status, 200, tenant.text);
    // an administrator sets the method through the User API (no code needed, as in FusionAuth)
    const patched = await fx.idp.api('PATCH', `/api/user/${fx.user.id}`, { user: { twoFactor: { methods: [{ method: 'email', email: 'ada.codes@example.com' }] } } });
    assert.equal(patched.status, 200, patched.text);

    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await page.goto(`${fx.idp.url}/oauth2/authorize?${new URLSearchParams({ client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid', state: 'st' })}`);
    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill(fx.user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Verification code').waitFor();
    assert.match((await page.locator('#code-hint').textContent()) ?? '', /code we email you/);
    await shots(page, 'oauth-two-factor-email');

    // without the CSRF token: refused, nothing sent
    const twoFactorId = (await page.locator('input[name=twoFactorId]').first().getAttribute('value'))!;
    const forged = await postForm(`${fx.idp.url}/oauth2/two-factor/send`, { twoFactorId, methodId: 'X' });
    assert.equal(forged.status, 403);

    await page.getByRole('button', { name: 'Send a code by email' }).click();
    assert.match((await page.getByRole('status').textContent()) ?? '', /We sent a code to a•••@example\.com\. It works once, within 1 minute\./);
    await shots(page, 'oauth-two-factor-email-sent');
    const mail = await mailbox.next('ada.codes@example.com');
    const code = /verification code is (\d{6})/.exec(mail.text)![1]!;
    assert.equal(mailbox.messages.length, 1, 'the forged send sent nothing');

    await page.getByLabel('Verification code').fill(code === '000000' ? '000001' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /not valid/);
    assert.equal(await page.getByRole('button', { name: 'Send a code by email' }).count(), 1, 'the send button stays after an error');
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(fx.web.redirect)), page.getByRole('button', { name: 'Verify' }).click()]);
    const callback = new URL(page.url());
    assert.equal(callback.searchParams.get('state'), 'st');
    const tokens = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: fx.web.redirect, client_id: fx.web.id, client_secret: fx.web.secret });
    assert.equal(tokens.status, 200, tokens.text);
  } finally {
    await browser?.close();
    await mailbox.close();
    await fx.close();
  }
});
