/**
 * The seed's whole FusionAuth set-up, done by an administrator in real headless Chromium: set the issuer,
 * add the application with JWT enabled and keys generated on save (by keyboard), copy the public key from
 * Key Master (the copy button, through the clipboard) into pubkey.pem, add an API key allowed to
 * POST /api/login and reveal it with the padlock, add a user with a password and register them — then the
 * seed's curl steps, with exactly those values, through a real gateway running the console's own
 * gatehouse.yaml policy with that pubkey.pem. Every screen is saved to test-artifacts/admin/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startEcho } from '../../../src/echo/index.js';
import { parseGatewayConfig, startGateway } from '../../../src/gateway/index.js';
import { createLogger } from '../../../src/shared/logger.js';
import { shell, statusLine } from '../../e2e/support.js';
import { ADMIN, startConsoleIdp } from './support.js';
import { fitsAndIsLabelled, launchChromium, phoneSignedIn, shot } from './browser.js';
import type { Page } from 'playwright-core';

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
const quiet = () => createLogger({ name: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });

test('an administrator does the seed set-up in the browser, then the seed curl steps pass through the gateway', async (t) => {
  const browser = await launchChromium(t);
  if (browser === undefined) return;
  const idp = await startConsoleIdp();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-admin-e2e-'));
  t.after(async () => {
    await browser.close();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: idp.url });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const issuer = idp.url; // <YOUR_FUSIONAUTH_URL>

  // sign in
  await page.goto(`${idp.url}/admin/`);
  assert.match(page.url(), /\/admin\/login/);
  await shot(page, '01-sign-in');
  await page.getByLabel('Email').fill(ADMIN.loginId);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  await shot(page, '02-home');
  assert.match(page.url(), /\/admin\/$/, await page.locator('main').innerText());

  // Tenants → Your Tenant → Issuer
  await nav(page, 'Tenants').click();
  await shot(page, '03-tenants');
  await page.getByRole('link', { name: 'Edit tenant Default' }).click();
  const tenantEditPath = new URL(page.url()).pathname;
  await page.getByLabel('Issuer').fill(issuer);
  await shot(page, '04-tenant-edit');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/admin\/tenants$/);
  assert.match(await page.locator('main').innerText(), new RegExp(issuer.replace(/[.]/g, '\\.')));

  // Applications → Add: Name, JWT tab, Enabled, "Auto generate a new key on save…" — by keyboard
  await nav(page, 'Applications').click();
  await page.getByRole('link', { name: 'Add application' }).click();
  await shot(page, '05-application-add');
  await page.getByLabel('Name', { exact: true }).fill('HAProxy');
  await page.getByRole('tab', { name: 'OAuth' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'JWT' }).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  assert.equal(await page.getByRole('switch', { name: 'Enabled' }).isChecked(), true);
  assert.equal(await page.getByLabel('Access token signing key').inputValue(), '');
  assert.match(await page.getByLabel('Access token signing key').locator('option:checked').innerText(), /Auto generate a new key on save/);
  assert.match(await page.getByLabel('Id token signing key').locator('option:checked').innerText(), /Auto generate a new key on save/);
  await shot(page, '05-application-add-jwt-tab');
  // a mistake first: the answer opens on the JWT tab, the summary links to the field
  await page.getByLabel('JWT duration (seconds)').fill('1e3'); // valid for the browser's number field, not a whole number for the API
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole('tab', { name: 'JWT' }).getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByLabel('JWT duration (seconds)').getAttribute('aria-invalid'), 'true');
  await shot(page, '05-application-add-error');
  // Chromium reports the deliberate 400 itself; nothing else may have been logged
  assert.ok(consoleErrors.every((m) => /status of 400/.test(m)), consoleErrors.join('\n'));
  consoleErrors.length = 0;
  await page.locator('.errors a').first().click();
  assert.equal(await page.evaluate<string | undefined>('document.activeElement && document.activeElement.id'), 'app-ttl');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('3600');
  assert.equal(await page.getByRole('switch', { name: 'Enabled' }).isChecked(), true, 'the form keeps what was typed');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/admin\/applications\/[0-9a-f-]{36}$/);
  await shot(page, '06-application-view');
  const applicationId = (await page.locator('#application-id').innerText()).trim(); // <YOUR_APPLICATION_ID>
  assert.match(applicationId, /^[0-9a-f-]{36}$/);
  await nav(page, 'Applications').click();
  await shot(page, '07-applications');
  await page.getByRole('link', { name: 'View HAProxy' }).click();
  assert.equal((await page.locator('#application-id').innerText()).trim(), applicationId);

  // Settings → Key Master → the access token key → Public Key → pubkey.pem (through the copy button)
  await nav(page, 'Key Master').click();
  await shot(page, '08-key-master');
  await page.getByRole('link', { name: 'View key Access token signing key generated for application HAProxy' }).click();
  await shot(page, '09-key-view');
  const keyPath = new URL(page.url()).pathname;
  await page.getByRole('button', { name: 'Copy PEM encoded', exact: true }).click();
  await page.getByRole('button', { name: 'Copy PEM encoded', exact: true }).filter({ hasText: 'Copied' }).waitFor();
  const pem = await page.evaluate<string>('navigator.clipboard.readText()');
  assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
  writeFileSync(join(dir, 'pubkey.pem'), pem.endsWith('\n') ? pem : `${pem}\n`);

  // Settings → API Keys → Add: POST on /api/login, the tenant selected; then the padlock
  await nav(page, 'API Keys').click();
  await page.getByRole('link', { name: 'Add API key' }).click();
  await page.getByLabel('Description', { exact: true }).fill('HAProxy walkthrough login');
  await page.getByLabel('Tenant', { exact: true }).selectOption({ label: 'Default' });
  await page.getByRole('checkbox', { name: 'POST /api/login', exact: true }).check();
  await shot(page, '10-api-key-add');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/admin\/api-keys$/);
  await shot(page, '11-api-keys-hidden');
  assert.doesNotMatch(await page.content(), /HAProxy walkthrough login[\s\S]{0,400}<code id="key-/);
  await page.getByRole('button', { name: 'Reveal the key HAProxy walkthrough login' }).click();
  await shot(page, '12-api-key-revealed');
  const apiKey = (await page.locator('code[id^="key-"]').innerText()).trim(); // <API_KEY>
  assert.ok(apiKey.length >= 32);

  // Users → Add user (no email; a password typed in), then Manage → Registrations → Add Registration
  await nav(page, 'Users').click();
  await page.getByRole('link', { name: 'Add user' }).click();
  assert.equal(await page.getByRole('switch', { name: 'Send email to set up password' }).isChecked(), false);
  await page.getByLabel('Email', { exact: true }).fill('bob@example.com');
  await page.getByLabel('Password', { exact: true }).fill('bob-password-123');
  await shot(page, '13-user-add');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
  const userPath = new URL(page.url()).pathname;
  await page.getByRole('tab', { name: 'Registrations' }).click();
  await page.getByRole('link', { name: 'Add Registration' }).click();
  assert.equal(await page.getByLabel('Application', { exact: true }).locator('option:checked').innerText(), 'HAProxy', 'the console\u2019s own application is never the default');
  await page.getByLabel('Application', { exact: true }).selectOption({ label: 'HAProxy' });
  await shot(page, '14-registration-add');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}#panel-registrations$/);
  assert.equal(await page.getByRole('tab', { name: 'Registrations' }).getAttribute('aria-selected'), 'true');
  assert.match(await page.getByRole('tabpanel', { name: 'Registrations' }).innerText(), /HAProxy/);
  await shot(page, '15-user-view');
  await nav(page, 'Users').click();
  await page.getByLabel(/Search/).fill('bob');
  await page.getByRole('button', { name: 'Search' }).click();
  assert.match(await page.locator('table').innerText(), /bob@example\.com/);
  assert.doesNotMatch(await page.locator('table').innerText(), /plain@example\.com/);
  await shot(page, '16-users-search');

  // the gateway page: the policy, copied through its button
  await nav(page, 'Applications').click();
  await page.getByRole('link', { name: 'Gateway policy for HAProxy' }).click();
  await shot(page, '17-gateway-policy');
  await page.getByRole('button', { name: 'Copy gatehouse.yaml (pubkey.pem)' }).click();
  await page.getByRole('button', { name: 'Copy gatehouse.yaml (pubkey.pem)' }).filter({ hasText: 'Copied' }).waitFor();
  const yamlText = await page.evaluate<string>('navigator.clipboard.readText()');
  assert.equal(dialogs.length, 0);
  assert.deepEqual(consoleErrors, [], 'no script error and no CSP violation on any screen');

  // 375 px: every list and form screen again
  const { phone, small } = await phoneSignedIn(browser, idp.url, ADMIN);
  const applicationPath = `/admin/applications/${applicationId}`;
  for (const [name, path] of [
    ['home', '/admin/'],
    ['tenants', '/admin/tenants'],
    ['applications', '/admin/applications'],
    ['application-add', '/admin/applications/new'],
    ['application-view', applicationPath],
    ['application-edit', `${applicationPath}/edit`],
    ['gateway-policy', `${applicationPath}/gateway`],
    ['key-master', '/admin/keys'],
    ['key-view', keyPath],
    ['user-view', userPath],
    ['registration-add', `${userPath}/registrations/new`],
    ['tenant-edit', tenantEditPath],
    ['key-generate', '/admin/keys/generate'],
    ['key-import', '/admin/keys/import'],
    ['api-keys', '/admin/api-keys'],
    ['api-key-add', '/admin/api-keys/new'],
    ['users', '/admin/users'],
    ['user-add', '/admin/users/new'],
  ] as const) {
    await fitsAndIsLabelled(small, idp.url, path, `375-${name}`);
  }
  await phone.close();

  // without JavaScript every page still works: the tabs become plain sections, all visible
  const plain = await browser.newContext({ viewport: { width: 1024, height: 800 }, javaScriptEnabled: false });
  const nojs = await plain.newPage();
  await nojs.goto(`${idp.url}/admin/login`);
  await nojs.getByLabel('Email').fill(ADMIN.loginId);
  await nojs.getByLabel('Password').fill(ADMIN.password);
  await nojs.getByRole('button', { name: 'Sign in' }).click();
  await nojs.goto(`${idp.url}/admin/applications/new`);
  assert.equal(await nojs.getByRole('switch', { name: 'Enabled' }).isVisible(), true);
  assert.equal(await nojs.getByLabel('Authorized redirect URLs').isVisible(), true);
  await shot(nojs, 'nojs-application-add');
  await plain.close();
  await context.close();

  // the seed's HAProxy part: the console's policy with the copied pubkey.pem, in a real gateway
  const echo = await startEcho({ host: '127.0.0.1', port: 0, name: 'echo', logger: quiet() });
  t.after(() => echo.close());
  const config = parseYaml(yamlText) as { auth: Record<string, Record<string, unknown>>; frontends: Record<string, Record<string, unknown>>; backends: Record<string, { servers: Record<string, { address: string }> }> };
  const policy = Object.values(config.auth)[0]!;
  assert.equal(policy.issuer, issuer);
  assert.equal(policy.audience, applicationId);
  assert.deepEqual(policy.keys, { file: './pubkey.pem' });
  config.frontends.myfrontend!.bind = '127.0.0.1:0';
  config.backends.webservers!.servers = { echo: { address: `127.0.0.1:${echo.port}` } };
  writeFileSync(join(dir, 'gatehouse.yaml'), stringifyYaml(config));
  const gateway = await startGateway({ config: parseGatewayConfig(config, dir, join(dir, 'gatehouse.yaml')), logger: quiet() });
  t.after(() => gateway.close());
  const gatewayUrl = `http://127.0.0.1:${gateway.frontends[0]!.port}`;

  const denied = await shell(`curl -s -X GET -I ${gatewayUrl}`);
  assert.equal(statusLine(denied.stdout), 'HTTP/1.1 403 Forbidden');
  assert.equal((await shell(`curl -s -X GET ${gatewayUrl}`)).stdout, 'Missing Authorization HTTP header');

  const login = await shell(`curl -s --location --request POST '${issuer}/api/login' \\
--header 'Authorization: ${apiKey}' \\
--header 'Content-Type: application/json' \\
--data-raw '  {
    "loginId": "bob@example.com",
    "password": "bob-password-123",
    "applicationId": "${applicationId}",
    "noJWT" : false
  }'`);
  const body = JSON.parse(login.stdout) as { token: string; user: { registrations: { applicationId: string }[] } };
  assert.ok(body.token.length > 100);
  assert.equal(body.user.registrations[0]!.applicationId, applicationId);
  const claims = JSON.parse(Buffer.from(body.token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  assert.equal(claims.iss, issuer);
  assert.equal(claims.aud, applicationId);

  const allowed = await shell(`curl -s -I ${gatewayUrl} \\
-H 'Authorization: Bearer ${body.token}'`);
  assert.equal(statusLine(allowed.stdout), 'HTTP/1.1 200 OK');
  // the API key may do nothing else
  const other = await shell(`curl -s -o /dev/null -w '%{http_code}' '${issuer}/api/user/${(claims.sub as string)}' --header 'Authorization: ${apiKey}'`);
  assert.equal(other.stdout, '401');
});
