/**
 * Authorization codes on PostgreSQL (migration 0002 on both databases): the hosted login page issues a
 * code, it is exchanged once, parallel exchanges of another code produce exactly one winner, and a replay
 * revokes the refresh token. Runs in a schema of its own, dropped afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL, requireTcpService } from '../../support/services.js';
import { basic, formLogin, postForm, startOAuthFixture } from './support.js';

const VERIFIER = 'p'.repeat(64);

test('authorization codes are single-use on PostgreSQL too', async (t) => {
  const url = new URL(POSTGRES_URL);
  if (!(await requireTcpService(t, 'PostgreSQL', url.hostname, Number(url.port || 5432)))) return;
  const schema = `gatehouse_oauth_${process.pid}_${randomBytes(4).toString('hex')}`;
  const fx = await startOAuthFixture({ database: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}` });
  try {
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
  } finally {
    await fx.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});
