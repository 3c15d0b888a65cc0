/**
 * SSO sessions live in the database, so instances behind a load balancer share them: two identity
 * providers on one PostgreSQL schema (migration 0006 there), the browser alternating between them — the
 * form served by the first and posted to the second, silently authorized on the second and the first,
 * signed out on the second, asked for the form again by the first. The row holds the SHA-256 of the
 * cookie, never the cookie. Runs in a schema of its own, dropped afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL, requireTcpService } from '../../support/services.js';
import { startTestIdp } from '../support.js';
import { startOAuthFixture } from './support.js';
import { authorizeUrl, browse, CHALLENGE, codeOf, CookieJar, isLoginForm, submitLogin } from './sso-support.js';

test('SSO sessions are shared by two instances on one PostgreSQL', async (t) => {
  const url = new URL(POSTGRES_URL);
  if (!(await requireTcpService(t, 'PostgreSQL', url.hostname, Number(url.port || 5432)))) return;
  const schema = `gatehouse_sso_${process.pid}_${randomBytes(4).toString('hex')}`;
  const database = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const fx = await startOAuthFixture({ database });
  const second = await startTestIdp({ database });
  try {
    const params = { client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid', state: 's', code_challenge: CHALLENGE, code_challenge_method: 'S256' };
    const jar = new CookieJar();
    const form = await browse(authorizeUrl(fx.idp.url, params), jar);
    assert.equal(isLoginForm(form), true);
    codeOf(await submitLogin(second.url, form, jar, fx.user.email, fx.user.password, true));
    const value = jar.get('fusionauth.sso')!;

    codeOf(await browse(authorizeUrl(second.url, params), jar));
    codeOf(await browse(authorizeUrl(fx.idp.url, { ...params, prompt: 'none' }), jar));

    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const rows = (await client.query(`SELECT id, body FROM ${schema}.sso_sessions`)).rows as { id: string; body: string }[];
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.id, createHash('sha256').update(value).digest('hex'));
      assert.ok(!rows[0]!.body.includes(value));
    } finally {
      await client.end();
    }

    const logout = await browse(`${second.url}/oauth2/logout?client_id=${fx.web.id}`, jar);
    assert.equal(logout.status, 302);
    const replay = new CookieJar();
    replay.set('fusionauth.sso', value);
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, params), replay)), true, 'ended on the second instance, gone on the first');
  } finally {
    await second.close();
    await fx.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});
