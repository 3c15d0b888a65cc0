/**
 * /oauth2/logout accepts an `id_token_hint` signed HS256 with the client secret — the id tokens of an
 * application whose id-token key is an HMAC key (they carry no `kid`) — as FusionAuth does: with
 * openid-client (the id token verified with the client secret), the end-session URL it builds ends that
 * session (its refresh token stops working) and redirects to the registered post-logout address. The
 * same token with one altered signature byte, signed with another secret, or presented for another
 * client ends nothing. Before: only tokens with a Key Master `kid` were accepted, so the HS256 hint was
 * ignored and the session's refresh token kept working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { SignJWT, decodeJwt as joseDecode } from 'jose';
import { decodeJwt } from '../support.js';
import { formLogin, useIdpWithCallback } from './support.js';

const fx = useIdpWithCallback();

async function hmacApplication(name: string) {
  const hmac = (await fx.idp.api('GET', '/api/key')).body.keys.find((k: { algorithm: string }) => k.algorithm === 'HS256');
  const created = await fx.idp.api('POST', '/api/application', {
    application: {
      name,
      jwtConfiguration: { idTokenKeyId: hmac.id },
      oauthConfiguration: { authorizedRedirectURLs: [fx.redirect], enabledGrants: ['authorization_code', 'refresh_token'], generateRefreshTokens: true },
    },
  });
  assert.equal(created.status, 200, created.text);
  const app = created.body.application as { id: string; oauthConfiguration: { clientSecret: string } };
  const email = `${name.replace(/\W/g, '').toLowerCase()}@example.com`;
  assert.equal((await fx.idp.api('POST', '/api/user/registration', { user: { email, password: 'password123' }, registration: { applicationId: app.id } })).status, 200);
  const config = await client.discovery(new URL(fx.idp.url), app.id, { client_secret: app.oauthConfiguration.clientSecret, id_token_signed_response_alg: 'HS256' }, undefined, { execute: [client.allowInsecureRequests] });
  return { id: app.id, secret: app.oauthConfiguration.clientSecret, email, config };
}

async function signIn(app: Awaited<ReturnType<typeof hmacApplication>>) {
  const state = client.randomState();
  const nonce = client.randomNonce();
  const login = await formLogin(fx.idp.url, { client_id: app.id, redirect_uri: fx.redirect, response_type: 'code', scope: 'openid offline_access', state, nonce }, app.email, 'password123');
  assert.equal(login.status, 302, login.html.slice(0, 300));
  const tokens = await client.authorizationCodeGrant(app.config, new URL(login.location!), { expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  assert.equal(decodeJwt(tokens.id_token!).header.alg, 'HS256');
  assert.equal(decodeJwt(tokens.id_token!).header.kid, undefined);
  assert.ok(tokens.refresh_token, 'a refresh token for the session');
  return tokens;
}

/** Follows the end-session URL; the redirect location, and whether the session's refresh token still works. */
async function logout(app: Awaited<ReturnType<typeof hmacApplication>>, url: URL, refreshToken: string) {
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 302);
  const refresh = await client.refreshTokenGrant(app.config, refreshToken).then(
    () => 'works',
    (e: { error?: string }) => e.error,
  );
  return { location: response.headers.get('location'), refresh };
}

test('the end-session URL openid-client builds with an HS256 id_token_hint ends the session', async () => {
  const app = await hmacApplication('Hs256 logout');
  const tokens = await signIn(app);
  const url = client.buildEndSessionUrl(app.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: fx.redirect, state: 'bye' });
  const done = await logout(app, url, tokens.refresh_token!);
  assert.equal(done.location, `${fx.redirect}?state=bye`);
  assert.equal(done.refresh, 'invalid_grant', 'the session of the hint is ended');
});

test('without client_id, the hint alone names the application', async () => {
  const app = await hmacApplication('Hs256 hint alone');
  const tokens = await signIn(app);
  const url = new URL(`${fx.idp.url}/oauth2/logout`);
  url.searchParams.set('id_token_hint', tokens.id_token!);
  url.searchParams.set('post_logout_redirect_uri', fx.redirect);
  const done = await logout(app, url, tokens.refresh_token!);
  assert.equal(done.location, fx.redirect, 'the registered address of the application the verified hint names');
  assert.equal(done.refresh, 'invalid_grant');
});

test('a forged, re-signed or misdirected HS256 hint ends nothing', async () => {
  const app = await hmacApplication('Hs256 forged');
  const other = await hmacApplication('Hs256 other');
  const tokens = await signIn(app);
  const hint = tokens.id_token!;
  const [h, p, s] = hint.split('.') as [string, string, string];
  const flipped = Buffer.from(s, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  const claims = joseDecode(hint);
  const cases: Record<string, { hint: string; clientId: string }> = {
    'one signature bit altered': { hint: `${h}.${p}.${flipped.toString('base64url')}`, clientId: app.id },
    'signed with another secret': { hint: await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(other.secret)), clientId: app.id },
    'presented for another client': { hint, clientId: other.id },
    'HS512 with the client secret (the key is HS256)': { hint: await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(app.secret)), clientId: app.id },
  };
  for (const [what, c] of Object.entries(cases)) {
    const url = new URL(`${fx.idp.url}/oauth2/logout`);
    url.searchParams.set('id_token_hint', c.hint);
    url.searchParams.set('client_id', c.clientId);
    const done = await logout(app, url, tokens.refresh_token!);
    assert.equal(done.refresh, 'works', `${what}: the session is not ended`);
  }
});
