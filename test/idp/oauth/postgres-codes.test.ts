/**
 * Authorization codes on PostgreSQL (migration 0002 on both databases): the hosted login page issues a
 * code, it is exchanged once, parallel exchanges of another code produce exactly one winner, and a replay
 * revokes the refresh token. Runs in a schema of its own, dropped afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { basic, formLogin, onPostgresSchema, postForm } from './support.js';

const VERIFIER = 'p'.repeat(64);

test('authorization codes are single-use on PostgreSQL too', (t) =>
  onPostgresSchema(t, 'gatehouse_oauth', async (fx) => {
    const params = {
      client_id: fx.web.id,
      redirect_uri: fx.web.redirect,
      response_type: 'code',
      scope: 'openid offline_access',
      code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
      code_challenge_method: 'S256',
    };
    const code = async () => {
      const login = await formLogin(fx.idp.url, params, fx.user.email, fx.user.password);
      assert.equal(login.status, 302, login.html);
      return new URL(login.location!).searchParams.get('code')!;
    };
    const exchange = (value: string) =>
      postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code: value, redirect_uri: fx.web.redirect, code_verifier: VERIFIER }, { authorization: basic(fx.web.id, fx.web.secret) });
    const first = await code();
    const ok = await exchange(first);
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await exchange(first)).body.error_reason, 'auth_code_not_found');
    const refresh = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: ok.body.refresh_token }, { authorization: basic(fx.web.id, fx.web.secret) });
    assert.equal(refresh.body.error, 'invalid_grant', 'the replay revoked the refresh token');
    const second = await code();
    const results = await Promise.all(Array.from({ length: 4 }, () => exchange(second)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
  }));
