/**
 * A fresh identity provider, started with no option at all, works with openid-client out of the box:
 * its default issuer is its own URL (the issuer its discovery document serves; `acme.com` made
 * openid-client's discovery throw), and the id tokens of an application created without JWT settings are
 * RS256, signed with a key of the JWKS, so openid-client verifies their signatures
 * (`enableNonRepudiationChecks`). An HMAC id-token key signs with the client secret, never the server's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { jwtVerify } from 'jose';
import { decodeJwt, startTestIdp, type TestIdp } from '../support.js';
import { formLogin } from './support.js';

let idp: TestIdp;
let callback: Server;
let redirect: string;
before(async () => {
  idp = await startTestIdp();
  callback = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
  redirect = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
});
after(async () => {
  await idp.close();
  callback.close();
});

async function application(name: string, jwtConfiguration?: Record<string, unknown>) {
  const created = await idp.api('POST', '/api/application', {
    application: { name, ...(jwtConfiguration === undefined ? {} : { jwtConfiguration }), oauthConfiguration: { authorizedRedirectURLs: [redirect], enabledGrants: ['authorization_code'] } },
  });
  assert.equal(created.status, 200, created.text);
  const app = created.body.application as { id: string; oauthConfiguration: { clientSecret: string } };
  const email = `${name.replace(/\W/g, '').toLowerCase()}@example.com`;
  assert.equal((await idp.api('POST', '/api/user/registration', { user: { email, password: 'password123' }, registration: { applicationId: app.id } })).status, 200);
  return { id: app.id, secret: app.oauthConfiguration.clientSecret, email };
}

test('the default issuer is the server URL, and discovery works', async () => {
  const tenant = (await idp.api('GET', '/api/tenant')).body.tenants[0];
  assert.equal(tenant.issuer, idp.url);
  const app = await application('Discovery');
  const config = await client.discovery(new URL(idp.url), app.id, app.secret, undefined, { execute: [client.allowInsecureRequests] });
  assert.equal(config.serverMetadata().issuer, idp.url);
});

test('an application without JWT settings gets RS256 id tokens that openid-client verifies', async () => {
  const app = await application('Plain app');
  const config = await client.discovery(new URL(idp.url), app.id, app.secret, undefined, { execute: [client.allowInsecureRequests] });
  client.enableNonRepudiationChecks(config);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorize = { client_id: app.id, redirect_uri: redirect, response_type: 'code', scope: 'openid', state, nonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
  const login = await formLogin(idp.url, authorize, app.email, 'password123');
  assert.equal(login.status, 302, login.html.slice(0, 300));
  const tokens = await client.authorizationCodeGrant(config, new URL(login.location!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  const header = decodeJwt(tokens.id_token!).header;
  assert.equal(header.alg, 'RS256');
  const jwks = (await (await fetch(`${idp.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  assert.ok(jwks.keys.some((k) => k.kid === header.kid), 'the id token key is in the JWKS');
  assert.equal(tokens.claims()!.nonce, nonce);
});

test('an HMAC id-token key signs with the client secret, without kid', async () => {
  const hmac = (await idp.api('GET', '/api/key')).body.keys.find((k: { algorithm: string }) => k.algorithm === 'HS256');
  const app = await application('Hmac app', { idTokenKeyId: hmac.id });
  const login = await formLogin(idp.url, { client_id: app.id, redirect_uri: redirect, response_type: 'code', scope: 'openid', state: 's' }, app.email, 'password123');
  const code = new URL(login.location!).searchParams.get('code')!;
  const response = await fetch(`${idp.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: app.id, client_secret: app.secret }).toString(),
  });
  const body = (await response.json()) as { id_token: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  const header = decodeJwt(body.id_token).header;
  assert.equal(header.alg, 'HS256');
  assert.equal(header.kid, undefined);
  const { payload } = await jwtVerify(body.id_token, new TextEncoder().encode(app.secret), { algorithms: ['HS256'] });
  assert.equal(payload.aud, app.id);
});
