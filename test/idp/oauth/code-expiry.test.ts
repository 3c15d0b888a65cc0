/**
 * Authorization codes are short-lived: with the IdP's clock frozen and then moved, a code is redeemable
 * within the tenant's `authorizationGrantIdTimeToLiveInSeconds` (default 30 s) and refused after it;
 * a tenant setting changes the lifetime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { basic, formLogin, postForm, startOAuthFixture } from './support.js';

const VERIFIER = 'e'.repeat(43);

test('authorization codes expire after the tenant’s code lifetime', async () => {
  let clock = Date.now();
  const fx = await startOAuthFixture({ now: () => clock });
  try {
    const params = { client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'), code_challenge_method: 'S256' };
    const code = async () => new URL((await formLogin(fx.idp.url, params, fx.user.email, fx.user.password)).location!).searchParams.get('code')!;
    const exchange = (value: string) =>
      postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code: value, redirect_uri: fx.web.redirect, code_verifier: VERIFIER }, { authorization: basic(fx.web.id, fx.web.secret) });

    const inTime = await code();
    clock += 29_000;
    assert.equal((await exchange(inTime)).status, 200, 'redeemable at 29 s');

    const late = await code();
    clock += 30_000;
    const refused = await exchange(late);
    assert.deepEqual([refused.status, refused.body.error, refused.body.error_reason], [400, 'invalid_grant', 'auth_code_not_found'], 'refused at 30 s');

    assert.equal((await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { externalIdentifierConfiguration: { authorizationGrantIdTimeToLiveInSeconds: 120 } } })).status, 200);
    const longer = await code();
    clock += 100_000;
    assert.equal((await exchange(longer)).status, 200, 'a tenant lifetime of 120 s');
  } finally {
    await fx.close();
  }
});
