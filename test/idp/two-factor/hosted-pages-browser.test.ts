/**
 * The hosted pages in real Chromium (JavaScript off): a user signs in on /account/two-factor, adds an
 * authenticator app from the key the page shows (codes made by otplib), sees the recovery codes once; then
 * signs in to an application through /oauth2/authorize: after the password the code page asks for a code,
 * a wrong one is refused inline, the right one with "Trust this device" redirects to the application with
 * a code that redeems; the next sign-in on that browser skips the code page. Finally a recovery code
 * removes the method on the account page. Screenshots at desktop and 375 px go to test-artifacts/two-factor/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../admin/browser.js';
import { shots } from './screenshots.js';
import { postForm, startOAuthFixture } from '../oauth/support.js';
import { appCode, clock } from './support.js';

test('account page turns TOTP on; the hosted sign-in asks for the code, trusts the device, and a recovery code turns it off', async (t) => {
  const time = clock();
  const fx = await startOAuthFixture({ webOauth: { proofKeyForCodeExchangePolicy: 'NotRequired' }, now: () => time.ms });
  const browser = await launchChromium(t);
  if (browser === undefined) return fx.close();
  try {
    // 1. self-service: sign in, add the authenticator app
    const account = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    assert.equal((await account.goto(`${fx.idp.url}/account/two-factor?client_id=${fx.web.id}`))?.status(), 200);
    await shots(account, 'account-sign-in');
    await account.getByLabel('Email or username').fill(fx.user.email);
    await account.getByLabel('Password').fill(fx.user.password);
    await account.getByRole('button', { name: 'Sign in' }).click();
    await account.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    assert.match((await account.locator('main').textContent()) ?? '', /Two-factor authentication is off/);
    await shots(account, 'account-two-factor-off');
    const key = ((await account.locator('#secret').textContent()) ?? '').replace(/\s/g, '');
    assert.match(key, /^[A-Z2-7]{32}$/, 'the key is shown in Base32');
    assert.match((await account.getByRole('link', { name: 'this setup link' }).getAttribute('href')) ?? '', /^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    await account.getByLabel('Code shown by the app').fill('000000');
    await account.getByRole('button', { name: 'Turn on' }).click();
    assert.match((await account.getByRole('alert').textContent()) ?? '', /does not match/);
    await account.getByLabel('Code shown by the app').fill(await appCode(key, time));
    await account.getByLabel('Name (optional)').fill('Test phone');
    await account.getByRole('button', { name: 'Turn on' }).click();
    await account.getByRole('heading', { name: 'Two-factor is on' }).waitFor();
    const recoveryCodes = (await account.locator('main li code').allTextContents()).map((c) => c.trim());
    assert.equal(recoveryCodes.length, 10);
    await shots(account, 'account-recovery-codes');
    time.nextStep();

    // 2. the hosted sign-in asks for the code after the password
    const browserContext = await browser.newContext({ javaScriptEnabled: false });
    const page = await browserContext.newPage();
    const authorize = `${fx.idp.url}/oauth2/authorize?${new URLSearchParams({ client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid', state: 'st' })}`;
    await page.goto(authorize);
    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill(fx.user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Verification code').waitFor();
    assert.equal(await page.title(), "Verify it's you · Web shop");
    assert.equal(await page.getByLabel('Trust this device for 30 days').isChecked(), false);
    await shots(page, 'oauth-two-factor');
    // a right password alone starts no SSO session: another tab still gets the form
    const other = await browserContext.newPage();
    await other.goto(authorize);
    await other.getByLabel('Email or username').waitFor();
    await other.close();
    await page.getByLabel('Verification code').fill('123456');
    await page.getByRole('button', { name: 'Verify' }).click();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /not valid/);
    assert.equal(await page.getByLabel('Verification code').getAttribute('aria-invalid'), 'true');
    await shots(page, 'oauth-two-factor-error');
    await page.getByLabel('Verification code').fill(await appCode(key, time));
    await page.getByLabel('Trust this device for 30 days').check();
    await Promise.all([page.waitForURL((u) => u.href.startsWith(fx.web.redirect)), page.getByRole('button', { name: 'Verify' }).click()]);
    const callback = new URL(page.url());
    assert.equal(callback.searchParams.get('state'), 'st');
    assert.equal(callback.searchParams.get('userState'), 'Authenticated');
    const tokens = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: fx.web.redirect, client_id: fx.web.id, client_secret: fx.web.secret });
    assert.equal(tokens.status, 200, tokens.text);
    assert.ok((await browserContext.cookies()).some((c) => c.name === 'fusionauth.trust' && c.httpOnly), 'the trust cookie is set, HttpOnly');

    // 3. the sign-in completed with the second factor started the SSO session: the next authorize needs no form
    await page.goto(authorize);
    await page.waitForURL((u) => u.href.startsWith(fx.web.redirect));
    assert.ok(new URL(page.url()).searchParams.get('code'), 'a code from the SSO session, no form');

    // 4. prompt=login asks for the password again, and the trusted browser is not asked for the code
    await page.goto(`${authorize}&prompt=login`);
    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill(fx.user.password);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(fx.web.redirect)), page.getByRole('button', { name: 'Sign in' }).click()]);

    // 5. a recovery code removes the method on the account page
    await account.goto(`${fx.idp.url}/account/two-factor?client_id=${fx.web.id}`);
    assert.match((await account.locator('main').textContent()) ?? '', /Two-factor authentication is on/);
    await shots(account, 'account-two-factor-on');
    await account.getByLabel('Code from this app or a recovery code, to remove it').fill(recoveryCodes[0]!);
    await account.getByRole('button', { name: 'Remove Test phone' }).click();
    assert.match((await account.getByRole('status').textContent()) ?? '', /removed/);
    assert.match((await account.locator('main').textContent()) ?? '', /Two-factor authentication is off/);
  } finally {
    await browser.close();
    await fx.close();
  }
});
