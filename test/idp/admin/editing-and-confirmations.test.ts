/**
 * The console's gaps of issue #20, in real headless Chromium: add a tenant (a refused name shown in words),
 * edit a user, set their password (a real login with it afterwards), delete a user; every destructive
 * action (API key, signing key, user, tenant, role, registration, application) goes through a confirmation
 * page whose Cancel keeps the thing, and no list or view page deletes in one click; the key page's title is
 * the key's name; the API-key list has the name under Name and the description under Description. Every
 * screen is saved to test-artifacts/admin/edit-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ADMIN, PLAIN, startConsoleIdp } from './support.js';
import { fitsAndIsLabelled, launchChromium, phoneSignedIn, shot } from './browser.js';

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
const main = (page: Page) => page.locator('main').innerText();

/** No form on the page posts to a delete action: deleting always starts with a link to a confirmation page. */
async function noOneClickDelete(page: Page): Promise<void> {
  const actions = await page.evaluate<string[]>("Array.from(document.querySelectorAll('form')).map(f => f.getAttribute('action') || '')");
  assert.deepEqual(actions.filter((a) => /\/delete$/.test(a)), [], `${page.url()}: a one-click delete form`);
}

/** On a confirmation page: the question names the thing; Cancel leads back; the thing is still there. */
async function confirmation(page: Page, question: RegExp, name: string): Promise<void> {
  await page.waitForLoadState();
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), question);
  assert.equal(await page.getByRole('button', { name: /Delete permanently|Remove the/ }).count(), 1);
  assert.equal(await page.getByRole('link', { name: 'Cancel' }).count(), 1);
  await shot(page, `edit-confirm-${name}`);
}

test('console: add a tenant, edit and delete users, set a password, confirmations, labels', async (t) => {
  const browser = await launchChromium(t);
  if (browser === undefined) return;
  const idp = await startConsoleIdp();
  t.after(async () => {
    await browser.close();
    await idp.close();
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if ((m.type() === 'error' && !/status of 400/.test(m.text())) || /Content.Security.Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`a JavaScript dialog: ${d.message()}`);
    void d.dismiss();
  });

  // with a second tenant, API calls name theirs, as in FusionAuth
  const defaultTenant = { 'x-fusionauth-tenantid': (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string };

  await page.goto(`${idp.url}/admin/login`);
  await page.getByLabel('Email').fill(ADMIN.loginId);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/admin\/$/);

  await t.test('add a tenant: a refused name is said in words next to the field; then it is added', async () => {
    await nav(page, 'Tenants').click();
    await noOneClickDelete(page);
    assert.equal(await page.getByRole('link', { name: 'Delete tenant Default' }).count(), 0, 'the default tenant, which holds the console, has no Delete');
    await page.getByRole('link', { name: 'Add tenant' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Default');
    await page.getByLabel('Issuer').fill('https://partner.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState();
    const summary = await page.locator('.errors').innerText();
    assert.match(summary, /A Tenant with name "Default" already exists\./);
    assert.doesNotMatch(summary, /\[|tenant\.name/, 'no API path or brackets');
    assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
    await shot(page, 'edit-01-tenant-add-error');
    await page.getByLabel('Name', { exact: true }).fill('Partner');
    await page.getByLabel('JWT time to live (seconds)').fill('600');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/tenants$/);
    assert.match(await main(page), /Added tenant Partner\./);
    await shot(page, 'edit-02-tenants');
    const partner = ((await idp.api('GET', '/api/tenant')).body.tenants as { name: string; issuer: string; jwtConfiguration: { timeToLiveInSeconds: number } }[]).find((x) => x.name === 'Partner');
    assert.equal(partner?.issuer, 'https://partner.example');
    assert.equal(partner?.jwtConfiguration.timeToLiveInSeconds, 600);
  });

  let plainPath = '';
  await t.test('edit a user: a taken email is refused in words; names and email saved', async () => {
    await nav(page, 'Users').click();
    await page.getByRole('link', { name: `Manage ${PLAIN.loginId}` }).click();
    plainPath = new URL(page.url()).pathname;
    await noOneClickDelete(page);
    await shot(page, 'edit-03-user-view');
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.loginId);
    await page.getByLabel('First name').fill('Pat');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState();
    assert.match(await page.locator('.errors').innerText(), /A User with email = "admin@example\.com" already exists\./);
    assert.equal(await page.getByLabel('First name').inputValue(), 'Pat', 'what was typed is kept');
    await shot(page, 'edit-04-user-edit-error');
    await page.getByLabel('Email', { exact: true }).fill('pat@example.com');
    await page.getByLabel('Last name').fill('Lain');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`${plainPath}$`));
    assert.match(await main(page), /Saved user pat@example\.com\./);
    assert.match(await main(page), /Pat Lain/);
    const user = (await idp.api('GET', `/api/user/${plainPath.split('/').pop()}`)).body.user;
    assert.deepEqual([user.email, user.firstName, user.lastName], ['pat@example.com', 'Pat', 'Lain']);
    // an emptied field is removed
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Last name').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`${plainPath}$`));
    assert.equal('lastName' in (await idp.api('GET', `/api/user/${plainPath.split('/').pop()}`)).body.user, false);
  });

  await t.test('set a password: typed twice, the tenant\u2019s rules in words, then a real login with it', async () => {
    const login = async (password: string) => (await idp.api('POST', '/api/login', { loginId: 'pat@example.com', password }, defaultTenant)).status;
    assert.equal(await login(PLAIN.password), 200);
    await page.getByRole('link', { name: 'Set password' }).click();
    await page.getByLabel('New password').fill('pat-password-2');
    await page.getByLabel('Type it again').fill('pat-password-3');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForLoadState();
    assert.match(await page.locator('.errors').innerText(), /The two passwords differ/);
    assert.equal(await page.getByLabel('Type it again').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('New password').inputValue(), '', 'a password is never sent back into the page');
    await shot(page, 'edit-05-password-differ');
    await page.getByLabel('New password').fill('short');
    await page.getByLabel('Type it again').fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForLoadState();
    const summary = await page.locator('.errors').innerText();
    assert.match(summary, /New password is shorter than the minimum of 8 characters\./);
    assert.doesNotMatch(summary, /\[/);
    await shot(page, 'edit-06-password-too-short');
    await page.getByLabel('New password').fill('pat-password-2');
    await page.getByLabel('Type it again').fill('pat-password-2');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(new RegExp(`${plainPath}$`));
    assert.match(await main(page), /Set the password of pat@example\.com\./);
    assert.equal(await login('pat-password-2'), 200);
    assert.notEqual(await login(PLAIN.password), 200);
    assert.ok(!idp.logLines.some((l) => l.includes('pat-password-2')), 'no password in the log');
  });

  await t.test('API keys: Name and Description columns; delete only after a confirmation, Cancel keeps it', async () => {
    await nav(page, 'API Keys').click();
    await page.getByRole('link', { name: 'Add API key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('reader');
    await page.getByLabel('Description', { exact: true }).fill('reads users');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/api-keys$/);
    await noOneClickDelete(page);
    await shot(page, 'edit-07-api-keys');
    const headers = await page.locator('thead th').allInnerTexts();
    const row = (label: string) => page.locator('tbody tr').filter({ has: page.getByRole('link', { name: `Delete the key ${label}` }) });
    const cell = async (label: string, column: string) => (await row(label).locator('td').nth(headers.indexOf(column)).innerText()).trim();
    assert.equal(await cell('reader', 'Name'), 'reader');
    assert.equal(await cell('reader', 'Description'), 'reads users');
    assert.equal(await cell('tests', 'Name'), '', 'the kickstart key has a description and no name');
    assert.equal(await cell('tests', 'Description'), 'tests');
    const readerId = /\/admin\/api-keys\/([0-9a-f-]{36})\/delete/.exec((await page.getByRole('link', { name: 'Delete the key reader' }).getAttribute('href')) ?? '')![1]!;
    assert.equal((await idp.api('GET', `/api/api-key/${readerId}`)).body.apiKey.name, 'reader');
    await page.getByRole('link', { name: 'Delete the key reader' }).click();
    await confirmation(page, /^Delete API key reader\?$/, 'api-key');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(/\/admin\/api-keys$/);
    assert.equal(await row('reader').count(), 1, 'Cancel keeps it');
    await page.getByRole('link', { name: 'Delete the key reader' }).click();
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await page.waitForURL(/\/admin\/api-keys$/);
    assert.match(await main(page), /Deleted the API key\./);
    assert.equal(await row('reader').count(), 0);
    assert.equal((await idp.api('GET', `/api/api-key/${readerId}`)).status, 404);
  });

  await t.test('Key Master: the key page\u2019s title is the key\u2019s name; delete after a confirmation; an in-use key is refused in words', async () => {
    await nav(page, 'Key Master').click();
    await page.getByRole('link', { name: 'Generate key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Spare key');
    await page.getByLabel('Algorithm').selectOption('ES256');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.waitForURL(/\/admin\/keys\/[0-9a-f-]{36}$/);
    assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), 'Spare key');
    assert.equal(await page.title(), 'Spare key · Gatehouse admin');
    await noOneClickDelete(page);
    await shot(page, 'edit-08-key-view');
    const keyId = page.url().split('/').pop()!;
    await page.getByRole('link', { name: 'Delete key…' }).click();
    await confirmation(page, /^Delete key Spare key\?$/, 'key');
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await page.waitForURL(/\/admin\/keys$/);
    assert.equal((await idp.api('GET', `/api/key/${keyId}`)).status, 404);
    // the tenant's signing key is in use: the refusal is a sentence, not an API path
    const tenantKey = (await idp.api('GET', '/api/tenant')).body.tenants[0].jwtConfiguration.accessTokenKeyId as string;
    await page.goto(`${idp.url}/admin/keys/${tenantKey}`);
    const title = (await page.getByRole('heading', { level: 1 }).innerText()).trim();
    assert.doesNotMatch(title, /^Key /);
    await page.getByRole('link', { name: 'Delete key…' }).click();
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await page.waitForURL(new RegExp(`/admin/keys/${tenantKey}$`));
    assert.match(await page.getByRole('status').innerText(), /^The key is in use by a tenant or an application and cannot be deleted\.$/);
    await shot(page, 'edit-09-key-in-use');
  });

  await t.test('roles, registrations, applications: removal and deletion go through a confirmation', async () => {
    const created = await idp.api('POST', '/api/application', { application: { name: 'Shop', roles: [{ name: 'viewer' }] } }, defaultTenant);
    const appId = created.body.application.id as string;
    const userId = plainPath.split('/').pop()!;
    assert.equal((await idp.api('POST', `/api/user/registration/${userId}`, { registration: { applicationId: appId, roles: ['viewer'] } }, defaultTenant)).status, 200);
    await page.goto(`${idp.url}/admin/applications/${appId}/edit`);
    await noOneClickDelete(page);
    await page.getByRole('link', { name: 'Remove role viewer' }).click();
    await confirmation(page, /^Remove role viewer\?$/, 'role');
    assert.match(await main(page), /every registration that has it/);
    await page.getByRole('button', { name: 'Remove the role' }).click();
    await page.waitForURL(/\/edit$/);
    assert.deepEqual((await idp.api('GET', `/api/application/${appId}`)).body.application.roles, []);
    await page.goto(`${idp.url}${plainPath}`);
    await page.getByRole('tab', { name: 'Registrations' }).click();
    await page.getByRole('link', { name: 'Remove the registration to Shop' }).click();
    await confirmation(page, /^Remove the registration to Shop\?$/, 'registration');
    assert.match(await main(page), /answers 202/);
    await page.getByRole('button', { name: 'Remove the registration' }).click();
    await page.waitForURL(/#panel-registrations$/);
    assert.equal((await idp.api('GET', `/api/user/registration/${userId}/${appId}`)).status, 404);
    await page.goto(`${idp.url}/admin/applications/${appId}`);
    await noOneClickDelete(page);
    await page.getByRole('link', { name: 'Delete…' }).click();
    await confirmation(page, /^Delete application Shop\?$/, 'application');
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await page.waitForURL(/\/admin\/applications$/);
    assert.equal((await idp.api('GET', `/api/application/${appId}`)).status, 404);
  });

  await t.test('delete a user after a confirmation; an administrator cannot delete themself', async () => {
    await page.goto(`${idp.url}${plainPath}`);
    await page.getByRole('link', { name: 'Delete…' }).click();
    await confirmation(page, /^Delete user pat@example\.com\?$/, 'user');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(new RegExp(`${plainPath}$`));
    assert.equal((await idp.api('GET', `/api/user${plainPath.slice('/admin/users'.length)}`)).status, 200, 'Cancel keeps the user');
    await page.getByRole('link', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await page.waitForURL(/\/admin\/users$/);
    assert.match(await main(page), /Deleted user pat@example\.com\./);
    assert.equal((await idp.api('GET', `/api/user${plainPath.slice('/admin/users'.length)}`)).status, 404);
    await page.getByRole('link', { name: `Manage ${ADMIN.loginId}` }).click();
    assert.equal(await page.getByRole('link', { name: 'Delete…' }).count(), 0);
    await page.goto(`${page.url()}/delete`);
    assert.match(await page.getByRole('status').innerText(), /You cannot delete your own account\./);
  });

  await t.test('delete a tenant after a confirmation that counts what goes with it', async () => {
    await nav(page, 'Tenants').click();
    await page.getByRole('link', { name: 'Delete tenant Partner' }).click();
    await confirmation(page, /^Delete tenant Partner\?$/, 'tenant');
    assert.match(await main(page), /0 applications, 0 users/);
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await page.waitForURL(/\/admin\/tenants$/);
    assert.match(await main(page), /Deleted tenant Partner\./);
    assert.deepEqual(((await idp.api('GET', '/api/tenant')).body.tenants as { name: string }[]).map((x) => x.name), ['Default']);
  });

  await t.test('375 px: the new screens fit and every control is labelled', async () => {
    const { phone, small } = await phoneSignedIn(browser, idp.url, ADMIN);
    const adminId = ((await idp.api('GET', `/api/user?email=${ADMIN.loginId}`)).body.user as { id: string }).id;
    await small.goto(`${idp.url}/admin/api-keys`);
    const key = /\/admin\/api-keys\/([0-9a-f-]{36})\/delete/.exec((await small.getByRole('link', { name: 'Delete the key tests' }).getAttribute('href')) ?? '')![1]!;
    for (const [name, path] of [
      ['tenant-add', '/admin/tenants/new'],
      ['user-edit', `/admin/users/${adminId}/edit`],
      ['user-password', `/admin/users/${adminId}/password`],
      ['api-key-delete', `/admin/api-keys/${key}/delete`],
    ] as const) {
      await fitsAndIsLabelled(small, idp.url, path, `edit-375-${name}`);
      assert.equal(await small.getByRole('heading', { level: 1 }).count(), 1, path);
    }
    await phone.close();
  });

  assert.deepEqual(problems, [], 'no script error, CSP violation or JavaScript dialog on any screen');
});
