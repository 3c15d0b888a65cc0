/**
 * `@fusionauth/react-sdk` from npm, unchanged, against Gatehouse: the test builds a small React app with
 * the SDK (vite, fixtures/react-sdk-app) into a temporary directory, serves it on a real port as the web
 * shop (its URL registered as authorized redirect, origin and front-channel logout URL), and drives it in
 * Debian's Chromium (playwright-core). A second application, the docs site, is a plain OAuth client on
 * another port (the SDK's `app.*` cookies belong to the host, not to one app, so two SDK apps on one host
 * would share one sign-in — as with FusionAuth).
 *
 * sign in on the shop (the hosted form, "Keep me signed in") → the app shows the user (`/app/me`) → the
 * token refreshes (`/app/refresh`) → the docs site's authorize completes through the SSO session without
 * the form (also with prompt=none; prompt=login shows the form) → signing out of the shop ends the SSO
 * session and calls both applications' logout URLs (the front-channel page) → the docs site's prompt=none
 * answers login_required and the shop's sign-in asks for the form again.
 *
 * Screenshots at desktop and 375 px wide go to test-artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { requireExecutable } from '../../support/services.js';
import { tempDir } from '../support.js';
import { startOAuthFixture } from './support.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = new URL('../../../../test-artifacts/', import.meta.url).pathname;
const FIXTURE = new URL('../../../../test/idp/oauth/fixtures/react-sdk-app/', import.meta.url).pathname;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

interface ServedApp {
  url: string;
  /** Paths of the front-channel logout requests received. */
  logoutHits: string[];
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1; returns the base URL and a close that ends open connections. */
async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

/** Serves the built app (any unknown path: index.html), its /config.js, and records /frontchannel-logout. */
async function serveApp(dist: string, config: (url: string) => Record<string, string>): Promise<ServedApp> {
  const logoutHits: string[] = [];
  let url = '';
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/config.js') return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(`window.GATEHOUSE_APP = ${JSON.stringify(config(url))};`);
    if (path === '/frontchannel-logout') {
      logoutHits.push(path);
      return void response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>signed out</title>');
    }
    const file = normalize(join(dist, path));
    const target = file.startsWith(dist) && extname(file) !== '' ? file : join(dist, 'index.html');
    try {
      const body = readFileSync(target);
      response.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  const listening = await listen(server);
  url = listening.url;
  return { ...listening, logoutHits };
}

/** A plain OAuth client: records its callbacks and front-channel logout calls. */
async function serveRelyingParty(): Promise<ServedApp & { callbacks: URL[] }> {
  const logoutHits: string[] = [];
  const callbacks: URL[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/frontchannel-logout') logoutHits.push(url.pathname);
    if (url.pathname === '/callback') callbacks.push(url);
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>docs ${url.pathname}</title>`);
  });
  return { ...(await listen(server)), logoutHits, callbacks };
}

async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 375, height: 740 });
  await page.screenshot({ path: `${ARTIFACTS}${name}-375.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('@fusionauth/react-sdk signs in, shows the user, refreshes, uses SSO and signs out against Gatehouse', async (t) => {
  const executablePath = requireExecutable(t, '/usr/bin/chromium');
  if (executablePath === false) return;
  const work = tempDir('gatehouse-react-sdk-');
  const dist = join(work, 'dist');
  await build({
    root: FIXTURE,
    configFile: false,
    logLevel: 'error',
    cacheDir: join(work, 'vite-cache'),
    plugins: [react()],
    build: { outDir: dist, emptyOutDir: true },
  });
  const fx = await startOAuthFixture();
  const apps: ServedApp[] = [];
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const docsId = randomUUID();
    const shop = await serveApp(dist, (url) => ({ name: 'Web shop', serverUrl: fx.idp.url, clientId: fx.web.id, redirectUri: `${url}/` }));
    const docs = await serveRelyingParty();
    apps.push(shop, docs);
    const patched = await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, {
      application: { oauthConfiguration: { authorizedRedirectURLs: [`${shop.url}/`], authorizedOriginURLs: [shop.url], logoutURL: `${shop.url}/frontchannel-logout` } },
    });
    assert.equal(patched.status, 200, patched.text);
    const created = await fx.idp.api('POST', `/api/application/${docsId}`, {
      application: { name: 'Docs site', oauthConfiguration: { authorizedRedirectURLs: [`${docs.url}/callback`], logoutURL: `${docs.url}/frontchannel-logout`, enabledGrants: ['authorization_code'] } },
    });
    assert.equal(created.status, 200, created.text);
    const docsAuthorize = (extra: Record<string, string> = {}) =>
      `${fx.idp.url}/oauth2/authorize?${new URLSearchParams({ client_id: docsId, redirect_uri: `${docs.url}/callback`, response_type: 'code', scope: 'openid', state: 'docs', ...extra })}`;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const authorizeStatuses: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/oauth2/authorize') authorizeStatuses.push(response.status());
    });
    const status = page.getByRole('status');

    // 1. Sign in on the shop through the hosted login page.
    await page.goto(`${shop.url}/`);
    await status.filter({ hasText: 'Signed out' }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/oauth2/authorize');
    assert.equal(await page.title(), 'Sign in · Web shop');
    await screenshots(page, 'sso-login-page');
    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill(fx.user.password);
    await page.getByLabel('Keep me signed in').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.origin === shop.url);
    await status.filter({ hasText: `Signed in as ${fx.user.email}` }).waitFor();
    assert.equal(await page.getByTestId('returned').textContent(), 'Returned with state from-Web shop', 'the SDK got its state back');
    await screenshots(page, 'react-sdk-signed-in');

    const cookies = await context.cookies(fx.idp.url);
    const byName = new Map(cookies.map((c) => [c.name, c]));
    assert.equal(byName.get('app.at')?.httpOnly, true);
    assert.equal(byName.get('app.at_exp')?.httpOnly, false);
    assert.equal(byName.get('fusionauth.sso')?.httpOnly, true);
    assert.equal(byName.get('fusionauth.sso')?.sameSite, 'Lax');
    const scriptCookies = (await page.evaluate('document.cookie')) as string;
    assert.match(scriptCookies, /app\.at_exp=\d+/, 'the SDK reads app.at_exp');
    assert.ok(!scriptCookies.split('; ').some((c) => c.startsWith('app.at=') || c.startsWith('app.rt=') || c.startsWith('fusionauth.sso=')), 'tokens and the SSO id are out of reach of scripts');

    // 2. Refresh through the SDK.
    const before = byName.get('app.at')!.value;
    await page.getByRole('button', { name: 'Refresh token' }).click();
    await page.getByTestId('note').filter({ hasText: 'Token refreshed' }).waitFor();
    const after = (await context.cookies(fx.idp.url)).find((c) => c.name === 'app.at')!.value;
    assert.notEqual(after, before, 'a new access token cookie');

    // 3. The docs site's authorize completes through the SSO session: no form; prompt=login shows it.
    const formsBefore = authorizeStatuses.filter((s) => s === 200).length;
    for (const extra of [{}, { prompt: 'none' }] as Record<string, string>[]) {
      await page.goto(docsAuthorize(extra));
      assert.equal(new URL(page.url()).pathname, '/callback');
      const callback = docs.callbacks.at(-1)!;
      assert.equal(typeof callback.searchParams.get('code'), 'string');
      assert.equal(callback.searchParams.get('userState'), 'AuthenticatedNotRegistered');
    }
    assert.equal(authorizeStatuses.filter((s) => s === 200).length, formsBefore, 'the authorize steps showed no form');
    await page.goto(docsAuthorize({ prompt: 'login' }));
    assert.equal(await page.title(), 'Sign in · Docs site');

    // 4. Sign out of the shop: the SSO session ends, both applications' logout URLs are called. The
    // shop's logout URL is held until the screenshots are taken: the page moves on (after 2 s) only once
    // its frames have loaded.
    await page.goto(`${shop.url}/`);
    await status.filter({ hasText: `Signed in as ${fx.user.email}` }).waitFor();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await context.route(`${shop.url}/frontchannel-logout`, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/oauth2/logout', { waitUntil: 'domcontentloaded' });
    assert.equal(await page.title(), 'Signing out');
    assert.equal(await page.locator('iframe').count(), 2);
    await screenshots(page, 'sso-front-channel-logout');
    release();
    await page.waitForURL((u) => u.origin === shop.url, { timeout: 15_000 });
    await status.filter({ hasText: 'Signed out' }).waitFor();
    assert.deepEqual(docs.logoutHits, ['/frontchannel-logout']);
    assert.deepEqual(shop.logoutHits, ['/frontchannel-logout']);
    const left = (await context.cookies(fx.idp.url)).map((c) => c.name);
    assert.deepEqual(left.filter((n) => n.startsWith('app.') || n === 'fusionauth.sso'), []);

    // 5. The session is over for both: the docs site's prompt=none answers login_required, the shop's sign-in asks for the form.
    await page.goto(docsAuthorize({ prompt: 'none' }));
    assert.equal(docs.callbacks.at(-1)!.searchParams.get('error'), 'login_required');
    await page.goto(`${shop.url}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/oauth2/authorize');
    await page.getByLabel('Password').waitFor();
    await context.close();
  } finally {
    await browser.close();
    for (const app of apps) await app.close();
    await fx.close();
    rmSync(work, { recursive: true, force: true });
  }
});
