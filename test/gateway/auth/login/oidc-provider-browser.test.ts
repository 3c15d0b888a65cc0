/**
 * Sign-in at the gateway with an IdP no one here wrote — panva's `oidc-provider` — driven by real
 * Chromium: the protected page goes to its login form and consent, the upstream sees the Bearer token
 * (a JWT for the API resource), the access token (2 s) expires and the gateway refreshes it with the
 * rotating refresh token, and logout ends both the gateway's session and the provider's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { requireExecutable } from '../../../support/services.js';
import { startInProcess } from '../../support/in-process.js';
import { startUpstream, type Echo } from '../../support/upstream.js';
import { decodeJwt } from '../../../idp/support.js';
import { API_RESOURCE, startOidcProvider } from './oidc-provider.js';
import { CHROMIUM_ARGS, cookieKey, freePort, loginGatewayConfig } from './support.js';

test('oidc-provider: login form → Bearer upstream → refresh after the access token expired → logout at both', async (t) => {
  const executablePath = requireExecutable(t, '/usr/bin/chromium');
  if (executablePath === false) return;
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const op = await startOidcProvider({ port: await freePort(), redirectUris: [`${base}/_gatehouse/callback`], postLogoutRedirectUris: [`${base}/signed-out`], accessTokenTtlS: 2 });
  const upstream = await startUpstream('app');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  let gateway: Awaited<ReturnType<typeof startInProcess>> | undefined;
  try {
    gateway = await startInProcess(
      loginGatewayConfig({
        port,
        issuer: op.issuer,
        audience: API_RESOURCE,
        clientId: op.clientId,
        clientSecret: op.clientSecret,
        keys: [cookieKey()],
        upstream: upstream.address,
        login: { scopes: ['openid', 'offline_access', 'api:read'], refresh_before: '0s', post_logout_redirect_uri: `${base}/signed-out` },
        policy: { scopes: ['api:read'] },
        routes: [{ path_prefix: '/signed-out', backend: 'app', auth: false }],
      }),
    );
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${base}/reports`);
    assert.ok(page.url().startsWith(op.issuer), 'at the provider');
    await page.locator('input[name=login]').fill('grace');
    await page.locator('input[name=password]').fill('any password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign-in' }).click()]);
    await Promise.all([page.waitForURL(`${base}/reports`), page.getByRole('button', { name: 'Continue' }).click()]);
    const first = JSON.parse((await page.textContent('body')) as string) as Echo;
    const token = String(first.headers.authorization).slice('Bearer '.length);
    const claims = decodeJwt(token).payload;
    assert.equal(claims.iss, op.issuer);
    assert.equal(claims.aud, API_RESOURCE);
    assert.equal(claims.sub, 'grace');
    assert.equal(first.headers['x-user'], 'grace');

    // the access token expires; the next request refreshes it (the old one is now refused on its own)
    await sleep(Math.max(0, (claims.exp as number) * 1000 + 1100 - Date.now()));
    const expired = await fetch(`${base}/reports`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(expired.status, 401, 'the first access token has expired');
    await page.reload();
    const second = JSON.parse((await page.textContent('body')) as string) as Echo;
    const renewed = String(second.headers.authorization).slice('Bearer '.length);
    assert.notEqual(renewed, token);
    assert.ok((decodeJwt(renewed).payload.exp as number) > (claims.exp as number));
    assert.equal(second.headers['x-user'], 'grace');

    await page.goto(`${base}/_gatehouse/logout`);
    assert.ok(page.url().startsWith(`${op.issuer}/session/end`), "the provider's logout confirmation");
    await Promise.all([page.waitForURL(`${base}/signed-out`), page.getByRole('button', { name: 'Yes, sign me out' }).click()]);
    assert.deepEqual((await context.cookies(base)).filter((c) => c.name.startsWith('gatehouse_session')), [], 'local cookies cleared');
    await page.goto(`${base}/reports`);
    assert.equal(await page.locator('input[name=login]').count(), 1, "the provider's session ended: its login form again");
    await context.close();
  } finally {
    await browser.close();
    await gateway?.close();
    await upstream.close();
    await op.close();
  }
});
