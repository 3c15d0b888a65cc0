/**
 * The admin console in real headless Chromium through a round-robin proxy over two identity provider
 * instances on one PostgreSQL database (test/support/round-robin-proxy.ts: each page comes from the other
 * instance than the one before, and each form is posted to the other instance than the one that served
 * it). An administrator signs in, adds an application with a role, edits it, adds a user, registers them
 * with the role, removes the registration, deletes the application and signs out — every form accepted
 * (no 403), every flash message set by one instance shown by the other. Then the same kind of work
 * through the API with the real @fusionauth/typescript-client, every call alternating. Before (console
 * sessions and CSRF tokens in process memory): the form served by A and posted to B got 403.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import type { Page } from 'playwright-core';
import { startTestIdp, type TestIdp } from '../support.js';
import { postgresSchema } from '../engines.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../support/round-robin-proxy.js';
import { ADMIN, API_KEY, startConsoleIdp } from './support.js';
import { launchChromium, shot } from './browser.js';

const FAST_HASHING = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });

/** Every form post went to the other instance than the page before it, and none was refused. */
function assertCrossPosted(proxy: RoundRobinProxy): void {
  const documents = proxy.log.filter((r) => r.document);
  const posts = documents.filter((r) => r.method === 'POST');
  assert.ok(posts.length >= 7, `the console's forms were posted (${posts.length})`);
  for (const post of posts) {
    const form = documents[documents.indexOf(post) - 1]!;
    assert.notEqual(post.upstream, form.upstream, `${post.method} ${post.path} went to the instance that did not serve ${form.path}`);
    assert.equal(post.status, 303, `${post.method} ${post.path} was accepted by instance ${post.upstream}: ${post.status}`);
  }
  for (const upstream of [0, 1]) assert.ok(posts.some((p) => p.upstream === upstream), `instance ${upstream} took posts`);
  assert.ok(!proxy.log.some((r) => r.status === 403 || r.status >= 500), JSON.stringify(proxy.log.filter((r) => r.status === 403 || r.status >= 500)));
}

test('two instances behind a round-robin proxy: the console in Chromium and the API client alternate between them', async (t) => {
  const browser = await launchChromium(t);
  if (browser === undefined) return;
  const db = await postgresSchema(t, 'gatehouse_console_chromium');
  if (db === undefined) {
    await browser.close();
    return;
  }
  const idps: TestIdp[] = [];
  let proxy: RoundRobinProxy | undefined;
  try {
    idps.push(await startConsoleIdp({ database: db.database }));
    idps.push(await startTestIdp({ database: db.database, passwordHashing: FAST_HASHING }));
    const a = idps[0]!;
    const rr = await startRoundRobinProxy(idps.map((idp) => idp.url));
    proxy = rr;

    await t.test('the console in Chromium: every form served by one instance is posted to the other', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const main = () => page.locator('main').innerText();

      await page.goto(`${rr.url}/admin/`);
      assert.match(page.url(), /\/admin\/login/);
      await page.getByLabel('Email').fill(ADMIN.loginId);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/admin\/$/);

      await nav(page, 'Applications').click();
      await page.getByRole('link', { name: 'Add application' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Round robin');
      await page.getByRole('tab', { name: 'Roles' }).click();
      await page.locator('#app-roles').fill('viewer');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/\/admin\/applications\/[0-9a-f-]{36}$/);
      assert.match(await main(), /Added application Round robin\./, 'the flash set by one instance is shown by the other');
      const applicationId = (await page.locator('#application-id').innerText()).trim();

      await page.getByRole('link', { name: 'Edit', exact: true }).click();
      await page.getByLabel('Name', { exact: true }).fill('Round robin 2');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(new RegExp(`/admin/applications/${applicationId}$`));
      assert.match(await main(), /Saved application Round robin 2\./);

      await nav(page, 'Users').click();
      await page.getByRole('link', { name: 'Add user' }).click();
      await page.getByLabel('Email', { exact: true }).fill('chromium-rr@example.com');
      await page.getByLabel('Password', { exact: true }).fill('chromium-rr-password');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
      assert.match(await main(), /Added user chromium-rr@example\.com\./);
      const userId = /([0-9a-f-]{36})$/.exec(page.url())![1]!;

      await page.getByRole('tab', { name: 'Registrations' }).click();
      await page.getByRole('link', { name: 'Add Registration' }).click();
      await page.locator('#reg-app').selectOption({ label: 'Round robin 2' });
      await page.getByRole('group', { name: 'Roles in Round robin 2' }).getByLabel('viewer').check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Added the registration.').waitFor();
      assert.match(page.url(), new RegExp(`/admin/users/${userId}#panel-registrations$`));
      const registration = await a.api('GET', `/api/user/registration/${userId}/${applicationId}`);
      assert.equal(registration.status, 200);
      assert.deepEqual(registration.body.registration.roles, ['viewer']);

      await page.getByRole('tab', { name: 'Registrations' }).click();
      // removal goes through the console's confirmation page: one page load, then its form posted to the other instance
      await page.getByRole('link', { name: 'Remove the registration to Round robin 2' }).click();
      await page.getByRole('button', { name: 'Remove the registration' }).click();
      await page.getByText('Removed the registration.').waitFor();
      assert.equal((await a.api('GET', `/api/user/registration/${userId}/${applicationId}`)).status, 404);

      await nav(page, 'Applications').click();
      await page.getByRole('link', { name: 'View Round robin 2' }).click();
      await page.getByRole('link', { name: 'Delete…' }).click();
      await page.getByRole('button', { name: 'Delete permanently' }).click();
      await page.waitForURL(/\/admin\/applications$/);
      assert.match(await main(), /Deleted Round robin 2\./);
      assert.equal((await a.api('GET', `/api/application/${applicationId}`)).status, 404);
      await shot(page, 'round-robin-deleted');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/admin\/login/);
      await page.goto(`${rr.url}/admin/`);
      assert.match(page.url(), /\/admin\/login/, 'signed out on one instance is signed out on the other');
      await context.close();
      assertCrossPosted(rr);
    });

    await t.test('the API through @fusionauth/typescript-client: every call alternates', async () => {
      const client = new FusionAuthClient(API_KEY, rr.url);
      const from = rr.log.length;
      const application = await client.createApplication(null as unknown as string, { application: { name: 'Client round robin', roles: [{ name: 'reader' }] } });
      const appId = application.response.application!.id!;
      const created = await client.register(null as unknown as string, {
        user: { email: 'client-rr@example.com', password: 'client-rr-password' },
        registration: { applicationId: appId, roles: ['reader'] },
      });
      const userId = created.response.user!.id!;
      const login = await client.login({ loginId: 'client-rr@example.com', password: 'client-rr-password', applicationId: appId });
      assert.equal(login.statusCode, 200);
      assert.ok(typeof login.response.token === 'string');
      const validated = await client.validateJWT(login.response.token!);
      assert.deepEqual(validated.response.jwt!.roles, ['reader']);
      await client.patchUser(userId, { user: { firstName: 'Round' } });
      assert.equal((await client.retrieveUser(userId)).response.user!.firstName, 'Round');
      await client.deleteApplicationRole(appId, application.response.application!.roles![0]!.id!);
      assert.deepEqual((await client.retrieveRegistration(userId, appId)).response.registration!.roles ?? [], []);
      await client.deleteUser(userId);
      await client.deleteApplication(appId);
      await assert.rejects(client.retrieveUser(userId), (e: { statusCode?: number }) => e.statusCode === 404);
      const calls = rr.log.slice(from);
      assert.ok(calls.length >= 10, `${calls.length} calls`);
      for (let i = 1; i < calls.length; i++) assert.notEqual(calls[i]!.upstream, calls[i - 1]!.upstream, 'consecutive calls went to different instances');
    });
  } finally {
    await browser.close();
    await proxy?.close();
    for (const idp of idps.reverse()) await idp.close();
    await db.drop();
  }
});
