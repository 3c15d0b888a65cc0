/**
 * The whole Authorization Code + PKCE flow as a relying party sees it: openid-client (the real npm
 * library) discovers the identity provider, builds the authorization URL; headless Chromium (Debian's, via
 * playwright-core, JavaScript off) opens the hosted login page, fills it in and submits it; openid-client redeems the code
 * (checking state, nonce and the id token), reads userinfo and refreshes. The access token then passes a
 * real gateway (JWKS from the IdP) to a real upstream, on a route that requires the `viewer` role, and is
 * refused on one that requires `admin`. A screenshot of the login page goes to test-artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as client from 'openid-client';
import { chromium } from 'playwright-core';
import { requireExecutable } from '../../support/services.js';
import { startInProcess } from '../../gateway/support/in-process.js';
import { startUpstream } from '../../gateway/support/upstream.js';
import { decodeJwt } from '../support.js';
import { startOAuthFixture } from './support.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = new URL('../../../../test-artifacts/', import.meta.url).pathname;

test('Authorization Code + PKCE: openid-client and headless Chromium sign in; the token passes the gateway', async (t) => {
  const executablePath = requireExecutable(t, '/usr/bin/chromium');
  if (executablePath === false) return;
  const fx = await startOAuthFixture();
  const upstream = await startUpstream('orders');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  let gateway: Awaited<ReturnType<typeof startInProcess>> | undefined;
  try {
    const config = await client.discovery(new URL(fx.idp.url), fx.web.id, fx.web.secret, undefined, { execute: [client.allowInsecureRequests] });
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, fx.idp.url);
    assert.equal(metadata.authorization_endpoint, `${fx.idp.url}/oauth2/authorize`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: fx.web.redirect,
      scope: 'openid offline_access email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });

    // The page must work without JavaScript: the browser context runs none.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const response = await page.goto(authorizationUrl.href);
    assert.equal(response?.status(), 200);
    const csp = response!.headers()['content-security-policy'] ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'none'/);
    assert.equal(await page.title(), 'Sign in · Web shop');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}oauth-login-page.png`, fullPage: true });

    // Labelled inputs: found by their label text, as a screen reader user would.
    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill('not the password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /^Invalid login credentials\./);
    assert.equal(await page.getByLabel('Email or username').inputValue(), fx.user.email, 'the login id is kept');
    assert.equal(await page.getByLabel('Password').getAttribute('aria-describedby'), 'error', 'the error is tied to the inputs');
    await page.screenshot({ path: `${ARTIFACTS}oauth-login-page-error.png`, fullPage: true });

    await page.getByLabel('Password').fill(fx.user.password);
    const [redirected] = await Promise.all([page.waitForURL((u) => u.href.startsWith(fx.web.redirect)), page.getByRole('button', { name: 'Sign in' }).click()]);
    void redirected;
    const callbackUrl = new URL(page.url());
    assert.equal(callbackUrl.searchParams.get('userState'), 'Authenticated');
    assert.equal(callbackUrl.searchParams.get('state'), state);

    const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    const idClaims = tokens.claims()!;
    assert.equal(idClaims.sub, fx.user.id);
    assert.equal(idClaims.nonce, nonce);
    assert.equal(idClaims.email, fx.user.email);
    assert.equal(idClaims.given_name, 'Ada');
    assert.equal(typeof idClaims.at_hash, 'string');
    const access = decodeJwt(tokens.access_token);
    assert.deepEqual(access.header.gty, ['authorization_code']);
    assert.equal(access.payload.aud, fx.web.id);
    assert.deepEqual(access.payload.roles, ['viewer']);
    assert.equal(access.payload.scope, 'openid offline_access email profile');
    assert.equal(access.payload.email, undefined, 'Strict: profile claims stay out of the access token');
    assert.equal(typeof tokens.refresh_token, 'string');

    const info = await client.fetchUserInfo(config, tokens.access_token, fx.user.id);
    assert.equal(info.email, fx.user.email);
    assert.equal(info.preferred_username, 'ada');

    // Refresh (OneTimeUse): a new refresh token, the old one dead.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.deepEqual(decodeJwt(refreshed.access_token).header.gty, ['authorization_code', 'refresh_token']);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (e: any) => e.error === 'invalid_grant');

    gateway = await startInProcess({
      auth: {
        idp: {
          issuer: fx.idp.url,
          audience: [fx.web.id, fx.service.id],
          keys: { jwks: `${fx.idp.url}/.well-known/jwks.json` },
        },
      },
      frontends: {
        web: {
          bind: '127.0.0.1:0',
          auth: 'idp',
          routes: [
            { path_prefix: '/admin', backend: 'orders', auth: { policy: 'idp', roles: ['admin'] } },
            { path_prefix: '/orders', backend: 'orders', auth: { policy: 'idp', scopes: [`target-entity:${fx.service.id}:read`] } },
            { path_prefix: '/account', backend: 'orders', auth: { policy: 'idp', roles: ['viewer'] } },
          ],
        },
      },
      backends: { orders: { servers: { s1: { address: upstream.address } } } },
    });
    const call = (path: string, token: string) => fetch(`${gateway!.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const allowed = await call('/account/me', refreshed.access_token);
    assert.equal(allowed.status, 200);
    assert.equal(((await allowed.json()) as { server: string }).server, 'orders');
    const before = upstream.requests;
    assert.equal((await call('/admin/users', refreshed.access_token)).status, 403, 'the viewer lacks the admin role');
    assert.equal((await call('/orders/1', refreshed.access_token)).status, 403, 'a user token lacks the service scope');
    assert.equal(upstream.requests, before, 'refused requests never reach the upstream');
    await context.close();
  } finally {
    await browser.close();
    await gateway?.close();
    await upstream.close();
    await fx.close();
  }
});
