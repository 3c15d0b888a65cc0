/**
 * Behind a TLS-terminating proxy the identity provider sees plain http, but browsers talk https to its
 * public URL: with an https `--public-url`, every cookie of the hosted pages is `Secure` — the CSRF cookie
 * of the login and self-service pages, `fusionauth.sso`, FusionAuth's `access_token` of `/api/login`,
 * `fusionauth.trust` and the hosted backend's `app.pkce_v` — although the requests here are plain http.
 * The same requests to an IdP whose public URL is its own http address get no `Secure` cookie.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { formLogin, startOAuthFixture, type OAuthFixture } from '../oauth/support.js';

let time = Date.now();
let behindTls: OAuthFixture;
let plain: OAuthFixture;
before(async () => {
  behindTls = await startOAuthFixture({ publicUrl: 'https://auth.example.com', now: () => time, webOauth: { proofKeyForCodeExchangePolicy: 'NotRequired' } });
  plain = await startOAuthFixture({ webOauth: { proofKeyForCodeExchangePolicy: 'NotRequired' } });
});
after(async () => {
  await behindTls?.close();
  await plain?.close();
});

/** name → whether its Set-Cookie carries Secure. */
function secureByName(cookies: readonly string[]): Map<string, boolean> {
  return new Map(cookies.map((c) => [c.split('=')[0]!, c.split(';').some((part) => part.trim().toLowerCase() === 'secure')]));
}

/** Every hosted cookie the flows set, by name. */
async function hostedCookies(fx: OAuthFixture): Promise<Map<string, boolean>> {
  const cookies: string[] = [];
  const authorize = { client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid', state: 's' };
  const login = await formLogin(fx.idp.url, authorize, fx.user.email, fx.user.password, (form) => form.set('rememberDevice', 'true'));
  assert.equal(login.status, 302, login.html);
  cookies.push(...login.cookies);
  cookies.push(...(await fetch(`${fx.idp.url}/password/forgot`)).headers.getSetCookie());
  cookies.push(...(await fetch(`${fx.idp.url}/account/two-factor`)).headers.getSetCookie());
  const app = await fetch(`${fx.idp.url}/app/login/${fx.web.id}?${new URLSearchParams({ redirect_uri: fx.web.redirect, state: 'x' })}`, { redirect: 'manual' });
  cookies.push(...app.headers.getSetCookie());
  const api = await fx.idp.api('POST', '/api/login', { loginId: fx.user.email, password: fx.user.password, applicationId: fx.web.id });
  assert.equal(api.status, 200, api.text);
  cookies.push(...api.headers.getSetCookie());
  return secureByName(cookies);
}

const EXPECTED = ['gatehouse_csrf', 'fusionauth.sso', 'app.pkce_v', 'access_token'];

test('an https public URL makes every hosted cookie Secure over plain http', async () => {
  const found = await hostedCookies(behindTls);
  for (const name of EXPECTED) assert.equal(found.get(name), true, `${name} is Secure (${JSON.stringify([...found])})`);

  // the two-factor trust cookie ("don't ask again on this device")
  const client = new FusionAuthClient(behindTls.idp.adminKey, behindTls.idp.url);
  const secret = (await client.generateTwoFactorSecret()).response.secretBase32Encoded!;
  const code = async () => generate({ secret, epoch: Math.floor(time / 1000) });
  await client.enableTwoFactor(behindTls.user.id, { method: 'authenticator', code: await code(), secretBase32Encoded: secret });
  time += 30_000;
  const challenged = await behindTls.idp.api('POST', '/api/login', { loginId: behindTls.user.email, password: behindTls.user.password, applicationId: behindTls.web.id });
  assert.equal(challenged.status, 242, challenged.text);
  const completed = await behindTls.idp.api('POST', '/api/two-factor/login', { twoFactorId: challenged.body.twoFactorId, code: await code(), trustComputer: true, applicationId: behindTls.web.id });
  assert.equal(completed.status, 200, completed.text);
  assert.equal(secureByName(completed.headers.getSetCookie()).get('fusionauth.trust'), true, 'fusionauth.trust is Secure');
});

test('an http public URL over http: the same cookies, none Secure', async () => {
  const found = await hostedCookies(plain);
  for (const name of EXPECTED) assert.equal(found.get(name), false, `${name} is set without Secure (${JSON.stringify([...found])})`);
});
