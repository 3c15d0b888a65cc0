/**
 * The OAuth endpoints through FusionAuth's official @fusionauth/typescript-client: the calls an
 * application written against FusionAuth makes (code exchange with PKCE, password grant, refresh, client
 * credentials, introspect, userinfo) resolve, and the errors reject with FusionAuth's OAuthError shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { decodeJwt } from '../support.js';
import { formLogin, startOAuthFixture } from './support.js';

const VERIFIER = 'f'.repeat(43);

async function rejection(promise: Promise<unknown>): Promise<{ statusCode: number; exception: any }> {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode: number; exception: any };
  }
  return assert.fail('resolved but should have rejected');
}

test('the OAuth endpoints through the FusionAuth TypeScript client', async () => {
  const fx = await startOAuthFixture();
  try {
    const client = new FusionAuthClient('', fx.idp.url);
    const login = await formLogin(
      fx.idp.url,
      { client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid offline_access', code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'), code_challenge_method: 'S256' },
      fx.user.email,
      fx.user.password,
    );
    const code = new URL(login.location!).searchParams.get('code')!;
    const exchanged = await client.exchangeOAuthCodeForAccessTokenUsingPKCE(code, fx.web.id, fx.web.secret, fx.web.redirect, VERIFIER);
    assert.equal(exchanged.statusCode, 200);
    assert.equal(exchanged.response.userId, fx.user.id);
    assert.equal(typeof exchanged.response.id_token, 'string');
    assert.equal(typeof exchanged.response.refresh_token, 'string');

    const replay = await rejection(client.exchangeOAuthCodeForAccessTokenUsingPKCE(code, fx.web.id, fx.web.secret, fx.web.redirect, VERIFIER));
    assert.equal(replay.statusCode, 400);
    assert.deepEqual([replay.exception.error, replay.exception.error_reason], ['invalid_grant', 'auth_code_not_found']);

    const password = await client.exchangeUserCredentialsForAccessToken('ada@example.com', fx.user.password, fx.web.id, fx.web.secret, 'openid offline_access', null as unknown as string);
    assert.equal(password.statusCode, 200);
    const refreshed = await client.exchangeRefreshTokenForAccessToken(password.response.refresh_token!, fx.web.id, fx.web.secret, null as unknown as string, null as unknown as string);
    assert.deepEqual(decodeJwt(refreshed.response.access_token!).header.gty, ['password', 'refresh_token']);

    const wrong = await rejection(client.exchangeUserCredentialsForAccessToken('ada@example.com', 'bad-password', fx.web.id, fx.web.secret, 'openid', null as unknown as string));
    assert.deepEqual([wrong.statusCode, wrong.exception.error_reason], [400, 'invalid_user_credentials']);
    const badClient = await rejection(client.exchangeUserCredentialsForAccessToken('ada@example.com', fx.user.password, fx.web.id, 'bad-secret', 'openid', null as unknown as string));
    assert.deepEqual([badClient.statusCode, badClient.exception.error], [401, 'invalid_client']);

    const introspected = await client.introspectAccessToken(fx.web.id, refreshed.response.access_token!);
    assert.equal(introspected.response.active, true);
    const info = await client.retrieveUserInfoFromAccessToken(refreshed.response.access_token!);
    assert.equal(info.response.sub, fx.user.id);

    const service = await client.clientCredentialsGrant(fx.machine.id, fx.machine.secret, `target-entity:${fx.service.id}:read`);
    assert.equal(service.statusCode, 200);
    assert.equal(decodeJwt(service.response.access_token!).payload.aud, fx.service.id);
    const inspected = await client.introspectAccessTokenWithRequest({ client_id: fx.machine.id, token: service.response.access_token! } as never);
    assert.equal(inspected.response.active, true);
  } finally {
    await fx.close();
  }
});
