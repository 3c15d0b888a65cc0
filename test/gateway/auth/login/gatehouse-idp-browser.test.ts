/**
 * Sign-in at the gateway with Gatehouse's own IdP, driven by real Chromium: a protected page sends the
 * browser to the IdP's login form (code + PKCE S256 + state + nonce), the callback sets the sealed session
 * cookie, the upstream sees `Authorization: Bearer <access token>` and the claim headers of the same JWT
 * pipeline; a refresh replaces the access token; logout clears the cookies and ends the IdP's session
 * (RP-initiated logout with id_token_hint), so the next visit shows the login form again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { requireExecutable } from '../../../support/services.js';
import { startInProcess } from '../../support/in-process.js';
import { startUpstream, type Echo } from '../../support/upstream.js';
import { decodeJwt } from '../../../idp/support.js';
import { startOAuthFixture } from '../../../idp/oauth/support.js';
import { CHROMIUM_ARGS, cookieKey, freePort, loginGatewayConfig } from './support.js';

test('Gatehouse IdP: protected page → login form → upstream gets the Bearer token → refresh → logout at both', async (t) => {
  const executablePath = requireExecutable(t, '/usr/bin/chromium');
  if (executablePath === false) return;
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const fx = await startOAuthFixture({ webOauth: { authorizedRedirectURLs: [`${base}/_gatehouse/callback`, `${base}/signed-out`] } });
  const upstream = await startUpstream('app');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  let gateway: Awaited<ReturnType<typeof startInProcess>> | undefined;
  try {
    gateway = await startInProcess(
      loginGatewayConfig({
        port,
        issuer: fx.idp.url,
        audience: fx.web.id,
        clientId: fx.web.id,
        clientSecret: fx.web.secret,
        keys: [cookieKey()],
        upstream: upstream.address,
        // longer than the access token's 600 s: every request after sign-in refreshes first
        login: { refresh_before: '1h', post_logout_redirect_uri: `${base}/signed-out` },
        routes: [{ path_prefix: '/signed-out', backend: 'app', auth: false }],
      }),
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    const idpRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(fx.idp.url)) idpRequests.push(r.url());
    });

    await page.goto(`${base}/orders/7?view=full`);
    assert.equal(await page.title(), 'Sign in · Web shop', 'the browser was sent to the IdP');
    const authorize = new URL(idpRequests.find((u) => u.includes('/oauth2/authorize')) as string);
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('redirect_uri'), `${base}/_gatehouse/callback`);
    for (const p of ['state', 'nonce', 'code_challenge']) assert.ok((authorize.searchParams.get(p) ?? '').length >= 43, `${p} is random`);
    const stateCookie = (await context.cookies(base)).find((c) => c.name === `gatehouse_session_state_${authorize.searchParams.get('state')!.slice(0, 12)}`);
    assert.ok(stateCookie !== undefined && stateCookie.httpOnly && stateCookie.sameSite === 'Lax');
    assert.ok(!stateCookie.value.includes(authorize.searchParams.get('state')!), 'the state cookie is sealed, not the state in clear');

    await page.getByLabel('Email or username').fill(fx.user.email);
    await page.getByLabel('Password').fill(fx.user.password);
    await Promise.all([page.waitForURL(`${base}/orders/7?view=full`), page.getByRole('button', { name: 'Sign in' }).click()]);
    const first = JSON.parse((await page.textContent('body')) as string) as Echo;
    assert.equal(first.url, '/orders/7?view=full', 'back at the page asked for, query included');
    const bearer = String(first.headers.authorization);
    assert.match(bearer, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const access = decodeJwt(bearer.slice(7)).payload;
    assert.equal(access.aud, fx.web.id);
    assert.equal(access.sub, fx.user.id);
    assert.equal(first.headers['x-user'], fx.user.id, "the policy's claim headers still apply");
    const cookies = await context.cookies(base);
    const session = cookies.filter((c) => c.name.startsWith('gatehouse_session.'));
    assert.ok(session.length >= 1);
    for (const c of session) {
      assert.equal(c.httpOnly, true);
      assert.equal(c.sameSite, 'Lax');
      assert.equal(c.secure, false, 'plain http: no Secure flag');
    }
    assert.equal(cookies.find((c) => c.name.startsWith('gatehouse_session_state_')), undefined, 'the state cookie is gone after the callback');
    assert.ok(!session.map((c) => c.value).join('').includes(bearer.slice(7, 40)), 'the token is not readable in the cookie');

    await page.reload();
    const second = JSON.parse((await page.textContent('body')) as string) as Echo;
    assert.notEqual(second.headers.authorization, bearer, 'refreshed: a new access token');
    assert.equal(decodeJwt(String(second.headers.authorization).slice(7)).payload.sub, fx.user.id);

    await page.goto(`${base}/_gatehouse/logout`);
    assert.equal(new URL(page.url()).pathname, '/signed-out', 'back from the IdP at post_logout_redirect_uri');
    const logoutAtIdp = new URL(idpRequests.find((u) => u.includes('/oauth2/logout')) as string);
    assert.equal(typeof logoutAtIdp.searchParams.get('id_token_hint'), 'string');
    assert.equal(logoutAtIdp.searchParams.get('post_logout_redirect_uri'), `${base}/signed-out`);
    assert.deepEqual((await context.cookies(base)).filter((c) => c.name.startsWith('gatehouse_session')), [], 'local cookies cleared');

    await page.goto(`${base}/orders/7`);
    assert.equal(await page.title(), 'Sign in · Web shop', "the IdP's session ended too: the form again");
    await context.close();
  } finally {
    await browser.close();
    await gateway?.close();
    await upstream.close();
    await fx.close();
  }
});
