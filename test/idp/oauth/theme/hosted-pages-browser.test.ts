/**
 * Every hosted page an end user sees — the login page (fresh and after a refused sign-in), the error page
 * of an untrusted authorization request, the hosted backend's error page, the front-channel sign-out
 * page, the self-service pages (forgot password and its answer, change password with a refused password,
 * a dead change-password link, email and registration verification) and the account pages (sign-in, two-factor settings)
 * — in real Chromium at desktop size and at 375 px, in the default look and in a tenant's theme.
 * Each is screenshotted (test-artifacts/hosted-pages/) and checked by page-checks.ts: lang, labels,
 * contrast ≥ 4.5:1, no sideways scroll at 375 px, 44 px targets. The theme's colours and logo are read
 * back as computed styles; the Content-Security-Policy allows the theme's stylesheet and its logo alone.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generate } from 'otplib';
import { requireExecutable } from '../../../support/services.js';
import { startOAuthFixture, type OAuthFixture } from '../support.js';
import { mailboxEmailConfiguration, startMailbox, type TestMailbox } from '../../../support/mailbox.js';
import { checkPage } from './page-checks.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = new URL('../../../../../test-artifacts/hosted-pages/', import.meta.url).pathname;
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: '375', width: 375, height: 740 },
] as const;

const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40"><rect width="160" height="40" rx="6" fill="#c41e3a"/><text x="14" y="28" font-family="sans-serif" font-size="22" font-weight="700" fill="#fff">ACME</text></svg>';
const LOGO = `data:image/svg+xml;base64,${Buffer.from(LOGO_SVG).toString('base64')}`;
const ACME = {
  pageBackgroundColor: '#0b1f3a',
  panelBackgroundColor: '#ffffff',
  fontColor: '#14213d',
  primaryButtonColor: '#c41e3a',
  primaryButtonTextColor: '#ffffff',
  primaryButtonFocusColor: '#9b1730',
  linkTextColor: '#1d4e89',
  borderRadius: '12px',
  logoImageURL: LOGO,
};

let fx: OAuthFixture;
let mailbox: TestMailbox;
let browser: Browser | undefined;
before(async () => {
  fx = await startOAuthFixture({ webOauth: { proofKeyForCodeExchangePolicy: 'NotRequired' } });
  mailbox = await startMailbox();
  const patched = await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { logoutURL: `${new URL(fx.web.redirect).origin}/signed-out` } } });
  assert.equal(patched.status, 200, patched.text);
  const mail = await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox) } });
  assert.equal(mail.status, 200, mail.text);
});
after(async () => {
  await browser?.close();
  await fx.close();
  await mailbox?.close();
});

async function launch(t: TestContext): Promise<Browser | undefined> {
  const executablePath = requireExecutable(t, '/usr/bin/chromium');
  if (executablePath === false) return undefined;
  browser ??= await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  return browser;
}

function authorizeUrl(extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid', state: 'st', ...extra });
  return `${fx.idp.url}/oauth2/authorize?${q}`;
}

/** Screenshots the page at both sizes and runs the checks; at 375 px also width and target size. */
async function inspect(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await page.screenshot({ path: `${ARTIFACTS}${name}-${viewport.name}.png`, fullPage: true });
    const found = await checkPage(page);
    const where = `${name} at ${viewport.name}`;
    assert.equal(found.lang, 'en', `${where}: lang`);
    assert.deepEqual(found.unlabelled, [], `${where}: every control has an accessible name`);
    assert.deepEqual(found.brokenDescribedBy, [], `${where}: aria-describedby names an element`);
    assert.deepEqual(found.lowContrast, [], `${where}: text contrast at least 4.5:1`);
    if (viewport.width === 375) {
      assert.ok(found.scrollWidth <= 375, `${where}: no horizontal scroll (scrollWidth ${found.scrollWidth})`);
      assert.deepEqual(found.smallTargets, [], `${where}: targets at least 44 px tall`);
      const input = page.locator('input[type=text], input[type=password]').first();
      if ((await input.count()) > 0) {
        const box = (await input.boundingBox())!;
        const main = (await page.locator('main').boundingBox())!;
        assert.ok(box.width >= main.width - 2 * 16 - 1, `${where}: inputs are full width (${box.width} of ${main.width})`);
      }
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function style(page: Page, selector: string, property: string): Promise<string> {
  return page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(property)})`);
}

/** Signs in with "Keep me signed in" and opens /oauth2/logout: the front-channel page (its 2 s refresh held back). */
async function frontChannelPage(page: Page): Promise<string> {
  await page.goto(authorizeUrl());
  await page.getByLabel('Email or username').fill(fx.user.email);
  await page.getByLabel('Password').fill(fx.user.password);
  await page.getByLabel('Keep me signed in').check();
  await Promise.all([page.waitForURL((u) => u.href.startsWith(fx.web.redirect)), page.getByRole('button', { name: 'Sign in' }).click()]);
  // the page refreshes to the redirect after 2 s; for the screenshots the served page's delay is lengthened
  let csp = '';
  await page.route('**/oauth2/logout**', async (route) => {
    const response = await route.fetch();
    csp = response.headers()['content-security-policy'] ?? '';
    const body = (await response.text()).replace('content="2; url=', 'content="3600; url=');
    await route.fulfill({ response, body });
  });
  await page.goto(`${fx.idp.url}/oauth2/logout?client_id=${fx.web.id}`);
  await page.unroute('**/oauth2/logout**');
  assert.equal(await page.getByRole('heading').textContent(), 'Signing out');
  return csp;
}

/** A live change-password link of the user, issued for the web application (its id stored with the code; the link carries no query). */
async function changePasswordLink(): Promise<string> {
  const issued = await fx.idp.api('POST', '/api/user/forgot-password', { loginId: fx.user.email, applicationId: fx.web.id, sendForgotPasswordEmail: false });
  assert.equal(issued.status, 200, issued.text);
  return `${fx.idp.url}/password/change/${encodeURIComponent(issued.body.changePasswordId as string)}`;
}

/** A live email verification link of the user, for the web application. */
async function verifyEmailLink(): Promise<string> {
  const issued = await fx.idp.api('PUT', `/api/user/verify-email?${new URLSearchParams({ email: fx.user.email, applicationId: fx.web.id, sendVerifyEmail: 'false' })}`);
  assert.equal(issued.status, 200, issued.text);
  return `${fx.idp.url}/email/verify/${encodeURIComponent(issued.body.verificationId as string)}`;
}

/**
 * The self-service and account pages, each inspected (screenshots `<page>-<suffix>`); `onEach` checks the
 * look of every page. Nothing is submitted that would change the user.
 */
async function selfServicePages(page: Page, suffix: string, onEach: (name: string) => Promise<void>): Promise<void> {
  const visit = async (name: string) => {
    await onEach(name);
    await inspect(page, `${name}-${suffix}`);
  };
  await page.goto(`${fx.idp.url}/password/forgot?client_id=${fx.web.id}`);
  assert.equal(await page.getByRole('heading').textContent(), 'Forgot your password?');
  await visit('forgot-password');
  await page.getByLabel('Email or username').fill('nobody@example.com');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send me a link' }).click()]);
  assert.match((await page.getByRole('status').textContent()) ?? '', /If an account exists/);
  await visit('forgot-password-sent');

  await page.goto(await changePasswordLink());
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('Confirm the new password').fill('short');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Change my password' }).click()]);
  assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');
  await visit('change-password-error');
  await page.goto(`${fx.idp.url}/password/change/not-a-live-id?client_id=${fx.web.id}&tenantId=${fx.tenantId}`);
  assert.match((await page.getByRole('alert').textContent()) ?? '', /not valid any more/);
  await visit('change-password-dead-link');

  await page.goto(await verifyEmailLink());
  assert.equal(await page.getByRole('button').textContent(), 'Verify my email address');
  await visit('verify-email');

  await page.goto(`${fx.idp.url}/account/two-factor?client_id=${fx.web.id}`);
  assert.equal(await page.getByRole('heading').textContent(), 'Sign in');
  await visit('account-sign-in');
  await page.getByLabel('Email or username').fill(fx.user.email);
  await page.getByLabel('Password').fill(fx.user.password);
  await Promise.all([page.waitForURL(/\/account\/two-factor/), page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Two-factor authentication');
  await visit('account-two-factor');
}

test('default look: every hosted page is labelled, readable and fits 375 px', async (t) => {
  const b = await launch(t);
  if (b === undefined) return;
  const context = await b.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    const response = await page.goto(authorizeUrl());
    assert.match(response!.headers()['content-security-policy']!, /img-src 'none'/, 'no logo, no image source');
    await inspect(page, 'login-default');

    // focus order: the login id, the password, "Keep me signed in", the button
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate<string>('document.activeElement.id || document.activeElement.name || document.activeElement.textContent'));
    }
    assert.deepEqual(order, ['loginId', 'password', 'rememberDevice', 'Sign in']);

    // a refused sign-in: readable, tied to the inputs, the same for an unknown account
    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill('not the password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
    const wrongPassword = await page.getByRole('alert').textContent();
    for (const label of ['Email or username', 'Password']) {
      assert.equal(await page.getByLabel(label).getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByLabel(label).getAttribute('aria-describedby'), 'error');
    }
    await inspect(page, 'login-error-default');
    await page.getByLabel('Email or username').fill('nobody@example.com');
    await page.getByLabel('Password').fill('not the password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
    assert.equal(await page.getByRole('alert').textContent(), wrongPassword, 'an unknown account reads exactly like a wrong password');

    await page.goto(`${fx.idp.url}/oauth2/authorize?client_id=${randomUUID()}&redirect_uri=https://evil.example/&response_type=code`);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /client_id/);
    await inspect(page, 'authorize-error-default');

    await page.goto(`${fx.idp.url}/app/login`);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /client_id/);
    await inspect(page, 'hosted-backend-error-default');

    await frontChannelPage(page);
    await inspect(page, 'front-channel-logout-default');

    await selfServicePages(page, 'default', async (name) => {
      assert.equal(await style(page, 'body', 'background-color'), 'rgb(244, 245, 247)', `${name}: the default look`);
      assert.equal(await page.getByRole('img').count(), 0, `${name}: no logo`);
    });
  } finally {
    await context.close();
  }
});

test("a tenant's theme: its colours and logo on every page of the tenant, an application's theme over it", async (t) => {
  const b = await launch(t);
  if (b === undefined) return;
  const theme = await fx.idp.api('POST', '/api/theme', { theme: { name: 'Acme', variables: ACME } });
  assert.equal(theme.status, 200, theme.text);
  const themeId = theme.body.theme.id as string;
  assert.equal((await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { themeId } })).status, 200);
  const context = await b.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    const response = await page.goto(authorizeUrl());
    const csp = response!.headers()['content-security-policy']!;
    assert.match(csp, /img-src data:;/, 'a data: logo: data: images only');
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(await style(page, 'body', 'background-color'), 'rgb(11, 31, 58)');
    assert.equal(await style(page, 'main', 'background-color'), 'rgb(255, 255, 255)');
    assert.equal(await style(page, 'h1', 'color'), 'rgb(20, 33, 61)');
    assert.equal(await style(page, 'button', 'background-color'), 'rgb(196, 30, 58)');
    assert.equal(await style(page, 'button', 'border-top-left-radius'), '12px');
    const logo = page.getByRole('img', { name: 'Web shop' });
    assert.equal(await logo.getAttribute('src'), LOGO);
    assert.ok((await page.evaluate<number>("document.querySelector('header img').naturalWidth")) > 0, 'the logo is loaded (the CSP allows it)');
    assert.equal(await page.getByRole('textbox', { name: 'Email or username' }).count(), 1);
    assert.equal(await page.getByLabel('Password').count(), 1);
    await inspect(page, 'login-theme');

    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill('not the password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await inspect(page, 'login-error-theme');

    const logoutCsp = await frontChannelPage(page);
    assert.match(logoutCsp, /img-src data:;/);
    assert.equal(await style(page, 'body', 'background-color'), 'rgb(11, 31, 58)');
    assert.equal(await page.getByRole('img', { name: 'Web shop' }).count(), 1);
    await inspect(page, 'front-channel-logout-theme');

    // the self-service and account pages: the tenant's theme (a page's own CSP allows its stylesheet and logo)
    await selfServicePages(page, 'theme', async (name) => {
      assert.equal(await style(page, 'body', 'background-color'), 'rgb(11, 31, 58)', `${name}: the theme's page colour`);
      if ((await page.locator('button').count()) > 0) assert.equal(await style(page, 'button', 'background-color'), 'rgb(196, 30, 58)', `${name}: the theme's button colour`);
      assert.equal(await style(page, 'h1', 'color'), 'rgb(20, 33, 61)', `${name}: the theme's text colour`);
      assert.equal(await page.getByRole('img', { name: 'Web shop' }).getAttribute('src'), LOGO, `${name}: the logo`);
      assert.ok((await page.evaluate<number>("document.querySelector('header img').naturalWidth")) > 0, `${name}: the logo is loaded`);
    });

    // an untrusted request does not pick the branding: the default look
    await page.goto(`${fx.idp.url}/oauth2/authorize?client_id=${fx.web.id}&redirect_uri=https://evil.example/&response_type=code`);
    assert.equal(await style(page, 'body', 'background-color'), 'rgb(244, 245, 247)');
    assert.equal(await page.getByRole('img').count(), 0);

    // the application's own theme wins over the tenant's; an https logo is the only image source
    const appTheme = await fx.idp.api('POST', '/api/theme', { theme: { name: 'Shop', variables: { primaryButtonColor: 'rgb(10, 125, 56)', logoImageURL: 'https://cdn.shop.example/img/logo.png?v=3' } } });
    assert.equal((await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { themeId: appTheme.body.theme.id } })).status, 200);
    const shop = await fetch(authorizeUrl());
    assert.match(shop.headers.get('content-security-policy')!, /img-src https:\/\/cdn\.shop\.example\/img\/logo\.png;/);
    assert.match(await shop.text(), /<img src="https:\/\/cdn\.shop\.example\/img\/logo\.png\?v=3" alt="Web shop">/);
    await page.goto(authorizeUrl());
    assert.equal(await style(page, 'button', 'background-color'), 'rgb(10, 125, 56)');
    assert.equal(await style(page, 'body', 'background-color'), 'rgb(244, 245, 247)', 'the application theme sets its own variables, defaults for the rest');
    // the application stored with a change-password id picks the link's look (the link has no query)
    await page.goto(await changePasswordLink());
    assert.equal(await style(page, 'button', 'background-color'), 'rgb(10, 125, 56)', 'the change-password page: the application theme');
    await page.goto(`${fx.idp.url}/account/two-factor?client_id=${fx.web.id}`);
    assert.equal(await style(page, 'button', 'background-color'), 'rgb(10, 125, 56)', 'the account page: the application theme');
    // last (the user keeps two-factor on): the recovery codes page, then the account sign-in's code page
    const secret = ((await page.locator('#secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('Code shown by the app').fill(await generate({ secret }));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Turn on' }).click()]);
    assert.equal(await page.getByRole('heading').textContent(), 'Two-factor is on');
    assert.equal(await page.locator('header img').getAttribute('src'), 'https://cdn.shop.example/img/logo.png?v=3', 'the recovery codes page: the application theme');
    await inspect(page, 'account-recovery-codes-theme');
    const fresh = await b.newContext({ viewport: { width: 1280, height: 800 } });
    const signIn = await fresh.newPage();
    await signIn.goto(`${fx.idp.url}/account/two-factor?client_id=${fx.web.id}`);
    await signIn.getByLabel('Email or username').fill(fx.user.email);
    await signIn.getByLabel('Password').fill(fx.user.password);
    await Promise.all([signIn.waitForLoadState('load'), signIn.getByRole('button', { name: 'Sign in' }).click()]);
    assert.equal(await signIn.getByRole('heading').textContent(), "Verify it's you");
    assert.equal(await style(signIn, 'button', 'background-color'), 'rgb(10, 125, 56)', 'the code page: the application theme');
    await inspect(signIn, 'account-sign-in-code-theme');
    await fresh.close();

    // the registration verification link: the application the registration is for picks the look
    const verifying = await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { verifyRegistration: true, verificationEmailTemplateId: '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0003' } });
    assert.equal(verifying.status, 200, verifying.text);
    const issued = await fx.idp.api('PUT', `/api/user/verify-registration?${new URLSearchParams({ email: fx.user.email, applicationId: fx.web.id, sendVerifyPasswordEmail: 'false' })}`);
    assert.equal(issued.status, 200, issued.text);
    await page.goto(`${fx.idp.url}/registration/verify/${encodeURIComponent(issued.body.verificationId as string)}`);
    assert.equal(await page.getByRole('button').textContent(), 'Confirm my registration');
    assert.equal(await style(page, 'button', 'background-color'), 'rgb(10, 125, 56)', 'the registration verification page: the application theme');
    await inspect(page, 'verify-registration-theme');
  } finally {
    await context.close();
    await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { themeId: null, verifyRegistration: false } });
    await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { themeId: null } });
  }
});

test('the checks find what they look for: an unlabelled input, grey text, a small target, a too-wide page', async (t) => {
  const b = await launch(t);
  if (b === undefined) return;
  const context = await b.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  try {
    await page.setContent('<html><body><p style="color:#aaa">faint</p><input type="text"><button style="height:20px">Go</button><input aria-describedby="nothing" aria-label="x"><div style="width:600px">wide</div></body></html>');
    const found = await checkPage(page);
    assert.equal(found.lang, '');
    assert.equal(found.unlabelled.length, 1);
    assert.equal(found.brokenDescribedBy.length, 1);
    assert.deepEqual(found.lowContrast.map((l) => l.split(' ')[0]), ['p']);
    assert.ok(found.smallTargets.some((s) => s.startsWith('button')));
    assert.ok(found.scrollWidth > 375);
  } finally {
    await context.close();
  }
});
