/**
 * The self-service pages in headless Chromium with JavaScript off, at desktop width and at 375 px: from
 * the hosted login page, "Forgot password?" → the forgot form → the emailed link (read from a real SMTP
 * server) → the change form (a readable error, then success) → the new password signs in on the login
 * page; "Create an account" → the registration form → back at the application with a code; the
 * verification link → its button → verified. No page is wider than a 375 px screen. Screenshots of every
 * page at both widths go to test-artifacts/hosted/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../admin/browser.js';
import { startOAuthFixture } from '../oauth/support.js';
import { mailboxEmailConfiguration, startMailbox } from '../../support/mailbox.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'hosted');
const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 740 } } as const;

/** Screenshots of the page's URL at both widths (the same GET again, in fresh contexts), and the 375 px width check. */
async function shots(browser: Browser, url: string, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [label, viewport] of Object.entries(WIDTHS)) {
    const context = await browser.newContext({ javaScriptEnabled: label === 'phone', viewport });
    const page = await context.newPage();
    await page.goto(url);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${label}.png`), fullPage: true });
    if (label === 'phone') assert.ok((await page.evaluate('document.documentElement.scrollWidth') as number) <= 375, `${name} fits 375 px`);
    await context.close();
  }
}

async function shotOf(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
}

test('forgot password, change password, registration and email verification in Chromium', async (t) => {
  const browser = await launchChromium(t);
  if (browser === undefined) return;
  const fx = await startOAuthFixture({ webOauth: { proofKeyForCodeExchangePolicy: 'NotRequired' } });
  const mailbox = await startMailbox();
  try {
    const { idp } = fx;
    await idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox, { verifyEmail: true }) } });
    await idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { registrationConfiguration: { enabled: true, confirmPassword: true, firstName: { enabled: true, required: true } } } });
    const authorize = `${idp.url}/oauth2/authorize?${new URLSearchParams({ client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid' })}`;
    await shots(browser, authorize, 'login');

    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(authorize);
    await Promise.all([page.waitForURL(/\/password\/forgot/), page.getByRole('link', { name: 'Forgot password?' }).click()]);
    await shots(browser, page.url(), 'forgot-password');
    await page.getByLabel('Email or username').fill(fx.user.email);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send me a link' }).click()]);
    assert.match((await page.getByRole('status').textContent()) ?? '', /If an account exists/);
    await shotOf(page, 'forgot-password-sent');

    const link = mailbox.link(await mailbox.next(fx.user.email));
    await shots(browser, link, 'change-password');
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('new password 1');
    await page.getByLabel('Confirm the new password').fill('new password 2');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Change my password' }).click()]);
    assert.equal(await page.getByRole('alert').textContent(), 'The two passwords do not match.');
    assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await shotOf(page, 'change-password-error');
    await page.getByLabel('New password', { exact: true }).fill('new password 1');
    await page.getByLabel('Confirm the new password').fill('new password 1');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Change my password' }).click()]);
    assert.match((await page.getByRole('status').textContent()) ?? '', /Your password has been changed/);
    await shotOf(page, 'change-password-done');

    await page.goto(authorize);
    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill('new password 1');
    await Promise.all([page.waitForURL((u) => u.href.startsWith(fx.web.redirect)), page.getByRole('button', { name: 'Sign in' }).click()]);
    assert.ok(new URL(page.url()).searchParams.get('code'), 'the new password signs in');

    // the sign-in above started an SSO session: prompt=login shows the form (and its links) again
    await page.goto(`${authorize}&prompt=login`);
    await Promise.all([page.waitForURL(/\/oauth2\/register/), page.getByRole('link', { name: 'Create an account' }).click()]);
    await shots(browser, page.url(), 'register');
    await page.getByLabel('Email').fill('lin@example.com');
    await page.getByLabel('Password', { exact: true }).fill('lin password 1');
    await page.getByLabel('Confirm the password').fill('lin password 1');
    await page.getByLabel('First name').fill('Lin');
    await Promise.all([page.waitForURL((u) => u.href.startsWith(fx.web.redirect)), page.getByRole('button', { name: 'Create my account' }).click()]);
    const back = new URL(page.url());
    assert.ok(back.searchParams.get('code'));
    assert.equal(back.searchParams.get('userState'), 'AuthenticatedNotVerified');

    const verify = mailbox.link(await mailbox.next('lin@example.com'));
    await shots(browser, verify, 'verify-email');
    await page.goto(verify);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Verify my email address' }).click()]);
    assert.match((await page.getByRole('status').textContent()) ?? '', /verified/);
    await shotOf(page, 'verify-email-done');
    assert.equal((await idp.api('GET', '/api/user?email=lin@example.com')).body.user.verified, true);
    await context.close();
  } finally {
    await browser.close();
    await fx.close();
    await mailbox.close();
  }
});
