/**
 * Hostile input on every /oauth2 endpoint and the hosted backend's /app/*: a seeded stream of random parameters, bodies, content types and
 * Authorization headers never gets a 5xx or a crash, always a JSON OAuth error, an HTML page or a redirect
 * to a registered address, and the server still answers normally afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, postForm, startOAuthFixture } from './support.js';
import { prng } from '../../support/prng.js';


test('random input on the OAuth endpoints never crashes them or redirects anywhere unregistered', async () => {
  const fx = await startOAuthFixture();
  try {
    const rnd = prng(6);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
    const names = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'grant_type', 'code', 'code_verifier', 'refresh_token', 'username', 'password', 'client_secret', 'token', 'id_token_hint', 'post_logout_redirect_uri', 'csrf', 'loginId', 'response_mode', 'prompt', 'max_age', 'rememberDevice', 'login_hint'];
    const values = [
      '', ' ', 'null', '%', '%00', '\u0000', 'é', '😀', '<script>', '"', "'", '\\', 'a'.repeat(5000), fx.web.id, fx.machine.id, fx.web.redirect, 'https://evil.example/',
      'code', 'token', 'S256', 'plain', 'openid', 'openid offline_access', 'target-entity:x', `target-entity:${fx.service.id}:read`, 'authorization_code', 'refresh_token', 'password', 'client_credentials', 'eyJhbGciOiJub25lIn0.e30.', 'a.b.c',
    ];
    const endpoints = ['/oauth2/authorize', '/oauth2/token', '/oauth2/userinfo', '/oauth2/introspect', '/oauth2/logout', '/app/login/', '/app/register/', '/app/callback', '/app/refresh/', '/app/me/', '/app/logout/'];
    const auths = [undefined, 'Basic', 'Basic !!!', basic(fx.web.id, fx.web.secret), basic('x', 'y'), 'Bearer x', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x', `Basic ${Buffer.from('no-colon').toString('base64')}`];
    const types = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=utf-8', 'multipart/form-data'];
    for (let i = 0; i < 250; i++) {
      const params = new URLSearchParams();
      const n = Math.floor(rnd() * 8);
      for (let k = 0; k < n; k++) params.append(pick(names), pick(values));
      const endpoint = pick(endpoints);
      const post = rnd() < 0.6;
      const auth = pick(auths);
      const headers: Record<string, string> = auth === undefined ? {} : { authorization: auth };
      const response = post
        ? await fetch(`${fx.idp.url}${endpoint}`, { method: 'POST', redirect: 'manual', headers: { ...headers, 'content-type': pick(types) }, body: rnd() < 0.1 ? '{"grant_type":' : params.toString() })
        : await fetch(`${fx.idp.url}${endpoint}?${params}`, { redirect: 'manual', headers });
      const text = await response.text();
      assert.ok(response.status < 500, `${post ? 'POST' : 'GET'} ${endpoint} ${params} → ${response.status} ${text.slice(0, 200)}`);
      const location = response.headers.get('location');
      // the hosted backend's own steps (/app/login → /oauth2/authorize, /app/logout → /oauth2/logout) stay on this server
      if (location !== null) assert.ok(location === '/' || location.startsWith(fx.web.redirect) || /^\/oauth2\/(authorize|register|logout)\?/.test(location), `redirect to ${location}`);
      if (response.status === 200 && (response.headers.get('content-type') ?? '').startsWith('text/html')) assert.ok(!text.includes('<script'), 'no reflected script');
    }
    const still = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'password', username: 'ada', password: fx.user.password }, { authorization: basic(fx.web.id, fx.web.secret) });
    assert.equal(still.status, 200);
  } finally {
    await fx.close();
  }
});
