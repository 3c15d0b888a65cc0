/**
 * A fresh identity provider, started with no option at all, works with openid-client out of the box:
 * its default issuer is its own URL (the issuer its discovery document serves; `acme.com` made
 * openid-client's discovery throw), and the id tokens of an application created without JWT settings are
 * RS256, signed with a key of the JWKS, so openid-client verifies their signatures
 * (`enableNonRepudiationChecks`). An HMAC id-token key signs with the client secret, never the server's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { jwtVerify } from 'jose';
import { decodeJwt } from '../support.js';
import { formLogin, useIdpWithCallback } from './support.js';

const fx = useIdpWithCallback();

async function application(name: string, jwtConfiguration?: Record<string, unknown>) {
  const created = await fx.idp.api('POST', '/api/application', {
    application: { name, ...(jwtConfiguration === undefined ? {} : { jwtConfiguration }), oauthConfiguration: { authorizedRedirectURLs: [fx.redirect], enabledGrants: ['authorization_code'] } },
  });
  assert.equal(created.status, 200, created.text);
  const app = created.body.application as { id: string; oauthConfiguration: { clientSecret: string } };
  const email = `${name.replace(/\W/g, '').toLowerCase()}@example.com`;
  assert.equal((await fx.idp.api('POST', '/api/user/registration', { user: { email, password: 'password123' }, registration: { applicationId: app.id } })).status, 200);
  return { id: app.id, secret: app.oauthConfiguration.clientSecret, email };
}

test('the default issuer is the server URL, and discovery works', async () => {
  const tenant = (await fx.idp.api('GET', '/api/tenant')).body.tenants[0];
  assert.equal(tenant.issuer, fx.idp.url);
  const app = await application('Discovery');
  const config = await client.discovery(new URL(fx.idp.url), app.id, app.secret, undefined, { execute: [client.allowInsecureRequests] });
  assert.equal(config.serverMetadata().issuer, fx.idp.url);
});

test('an application without JWT settings gets RS256 id tokens that openid-client verifies', async () => {
  const app = await application('Plain app');
  const config = await client.discovery(new URL(fx.idp.url), app.id, app.secret, undefined, { execute: [client.allowInsecureRequests] });
  client.enableNonRepudiationChecks(config);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorize = { client_id: app.id, redirect_uri: fx.redirect, response_type: 'code', scope: 'openid', state, nonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
  const login = await formLogin(fx.idp.url, authorize, app.email, 'password123');
  assert.equal(login.status, 302, login.html.slice(0, 300));
  const tokens = await client.authorizationCodeGrant(config, new URL(login.location!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  const header = decodeJwt(tokens.id_token!).header;
  assert.equal(header.alg, 'RS256');
  const jwks = (await (await fetch(`${fx.idp.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  assert.ok(jwks.keys.some((k) => k.kid === header.kid), 'the id token key is in the JWKS');
  assert.equal(tokens.claims()!.nonce, nonce);
});

test('an HMAC id-token key signs with the client secret, without kid', async () => {
  const hmac = (await fx.idp.api('GET', '/api/key')).body.keys.find((k: { algorithm: string }) => k.algorithm === 'HS256');
  const app = await application('Hmac app', { idTokenKeyId: hmac.id });
  const login = await formLogin(fx.idp.url, { client_id: app.id, redirect_uri: fx.redirect, response_type: 'code', scope: 'openid', state: 's' }, app.email, 'password123');
  const code = new URL(login.location!).searchParams.get('code')!;
  const response = await fetch(`${fx.idp.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: fx.redirect, client_id: app.id, client_secret: app.secret }).toString(),
  });
  const body = (await response.json()) as { id_token: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  const header = decodeJwt(body.id_token).header;
  assert.equal(header.alg, 'HS256');
  assert.equal(header.kid, undefined);
  const { payload } = await jwtVerify(body.id_token, new TextEncoder().encode(app.secret), { algorithms: ['HS256'] });
  assert.equal(payload.aud, app.id);
});
