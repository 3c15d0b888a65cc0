/**
 * RFC 7009 revocation (`/oauth2/revoke`, listed in discovery as `revocation_endpoint`, so openid-client's
 * tokenRevocation uses it) and RFC 7662 introspection of refresh tokens (they were always
 * `active:false`). Only the client's own tokens are revoked; every answer is an empty 200 whatever the
 * token, so revocation tells nothing about other clients' tokens.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { basic, postForm, startOAuthFixture, type OAuthFixture } from './support.js';

let fx: OAuthFixture;
before(async () => {
  fx = await startOAuthFixture();
});
after(() => fx.close());

const passwordGrant = async () => {
  const response = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'password', username: fx.user.email, password: fx.user.password, scope: 'openid offline_access' }, { authorization: basic(fx.web.id, fx.web.secret) });
  assert.equal(response.status, 200, response.text);
  return response.body as { access_token: string; refresh_token: string; refresh_token_id: string };
};
const introspect = async (token: string) => (await postForm(`${fx.idp.url}/oauth2/introspect`, { token }, { authorization: basic(fx.web.id, fx.web.secret) })).body;

test('a refresh token introspects as active, with its owner and lifetime', async () => {
  const tokens = await passwordGrant();
  const answer = await introspect(tokens.refresh_token);
  assert.equal(answer.active, true);
  assert.equal(answer.token_type, 'refresh_token');
  assert.equal(answer.client_id, fx.web.id);
  assert.equal(answer.sub, fx.user.id);
  assert.equal(answer.scope, 'openid offline_access');
  assert.ok(answer.exp > answer.iat);
  const other = await postForm(`${fx.idp.url}/oauth2/introspect`, { token: tokens.refresh_token }, { authorization: basic(fx.machine.id, fx.machine.secret) });
  assert.deepEqual(other.body, { active: false }, 'not to another client');
  assert.deepEqual(await introspect('x'.repeat(64)), { active: false });
});

test('/oauth2/revoke is in discovery and revokes a refresh token and the session of an access token', async () => {
  const config = await client.discovery(new URL(fx.idp.url), fx.web.id, fx.web.secret, undefined, { execute: [client.allowInsecureRequests] });
  assert.equal(config.serverMetadata().revocation_endpoint, `${fx.idp.url}/oauth2/revoke`);

  const first = await passwordGrant();
  await client.tokenRevocation(config, first.refresh_token, { token_type_hint: 'refresh_token' });
  assert.deepEqual(await introspect(first.refresh_token), { active: false });
  assert.equal((await introspect(first.access_token)).active, false, 'its access tokens (sid) are inactive too');
  const refresh = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, { authorization: basic(fx.web.id, fx.web.secret) });
  assert.equal(refresh.status, 400);

  const second = await passwordGrant();
  await client.tokenRevocation(config, second.access_token);
  assert.deepEqual(await introspect(second.refresh_token), { active: false }, 'revoking an access token ends its session');

  const third = await passwordGrant();
  const foreign = await postForm(`${fx.idp.url}/oauth2/revoke`, { token: third.refresh_token }, { authorization: basic(fx.machine.id, fx.machine.secret) });
  assert.deepEqual([foreign.status, foreign.text], [200, ''], 'another client gets the same empty 200');
  assert.equal((await introspect(third.refresh_token)).active, true, 'but revokes nothing');
  const unknown = await postForm(`${fx.idp.url}/oauth2/revoke`, { token: 'not-a-token' }, { authorization: basic(fx.web.id, fx.web.secret) });
  assert.deepEqual([unknown.status, unknown.text], [200, '']);
  const noClient = await postForm(`${fx.idp.url}/oauth2/revoke`, { token: third.refresh_token, client_id: fx.web.id });
  assert.equal(noClient.status, 401, 'a confidential client must authenticate');
  assert.equal(noClient.body.error, 'invalid_client');
});
