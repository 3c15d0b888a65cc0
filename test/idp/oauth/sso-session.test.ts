/**
 * SSO sessions of the hosted login page (SQLite, frozen clock): one interactive sign-in on application A,
 * then B's authorize answers with a code and no form; the cookie's attributes ("Keep me signed in":
 * persistent, else a browser-session cookie); prompt=none / prompt=login / max_age and the id token's
 * auth_time; the tenant's httpSessionMaxInactiveInterval as an inactivity lifetime (and 0 = off); a new
 * session id at every sign-in; a password change ends the session; an application that requires
 * registration still gets the form; only the SHA-256 of the cookie is in the database; /oauth2/logout ends
 * the session and frames every signed-in application's logout URL (RedirectOnly: a plain redirect).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeJwt } from '../support.js';
import { basic, postForm, startOAuthFixture } from './support.js';
import { authorizeUrl, browse, CHALLENGE, codeOf, CookieJar, isLoginForm, signIn, submitLogin, VERIFIER } from './sso-support.js';

test('SSO session: one sign-in serves every application of the tenant', async (t) => {
  let now = Date.UTC(2026, 11, 7, 12, 0, 0);
  const fx = await startOAuthFixture({ now: () => now });
  t.after(() => fx.close());
  const createApp = async (name: string, oauth: Record<string, unknown>) => {
    const id = randomUUID();
    const r = await fx.idp.api('POST', `/api/application/${id}`, {
      application: { name, oauthConfiguration: { authorizedRedirectURLs: [fx.web.redirect], enabledGrants: ['authorization_code'], ...oauth } },
    });
    assert.equal(r.status, 200, r.text);
    return { id, secret: r.body.application.oauthConfiguration.clientSecret as string };
  };
  const docs = await createApp('Docs site', { logoutURL: 'http://127.0.0.1:9/docs-logout' });
  const payroll = await createApp('Payroll', { requireRegistration: true });
  await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { logoutURL: 'http://127.0.0.1:8/shop-logout' } } });

  const web = (extra: Record<string, string> = {}) => ({
    client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid offline_access', state: 'sa', code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra,
  });
  const other = (client: { id: string }, extra: Record<string, string> = {}) => ({ client_id: client.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid', state: 'sb', ...extra });
  const idToken = async (client: { id: string; secret: string }, code: string, verifier?: string) => {
    const r = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: fx.web.redirect, ...(verifier === undefined ? {} : { code_verifier: verifier }) }, { authorization: basic(client.id, client.secret) });
    assert.equal(r.status, 200, r.text);
    return decodeJwt(r.body.id_token as string).payload;
  };
  const signInA = async (jar: CookieJar, remember = true) => signIn(fx.idp.url, web(), jar, fx.user.email, fx.user.password, remember);

  await t.test('after one sign-in on A, B completes without a form; the code carries the sign-in auth_time', async () => {
    const jar = new CookieJar();
    const first = await signInA(jar);
    const signedInAt = Math.floor(now / 1000);
    assert.equal((await idToken(fx.web, codeOf(first), VERIFIER)).auth_time, signedInAt);
    const line = jar.raw.get('fusionauth.sso')!;
    assert.match(line, /^fusionauth\.sso=[A-Za-z0-9_-]{43}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/, 'persistent for the tenant lifetime; no Secure over plain HTTP');
    now += 120_000;
    const silent = await browse(authorizeUrl(fx.idp.url, other(docs)), jar);
    const location = new URL(silent.location!);
    assert.equal(location.searchParams.get('state'), 'sb');
    assert.equal(location.searchParams.get('userState'), 'AuthenticatedNotRegistered');
    const claims = await idToken(docs, codeOf(silent));
    assert.equal(claims.sub, fx.user.id);
    assert.equal(claims.auth_time, signedInAt, 'auth_time is the interactive sign-in, not the silent one');
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs)), new CookieJar())), true, 'another browser gets the form');
  });

  await t.test('"Keep me signed in" unticked: a browser-session cookie that still signs in silently', async () => {
    const jar = new CookieJar();
    await signInA(jar, false);
    assert.match(jar.raw.get('fusionauth.sso')!, /^fusionauth\.sso=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    codeOf(await browse(authorizeUrl(fx.idp.url, other(docs)), jar));
  });

  await t.test('prompt=none: a code with a session, login_required without; prompt=login and max_age force the form', async () => {
    const jar = new CookieJar();
    await signInA(jar);
    const signedInAt = Math.floor(now / 1000);
    codeOf(await browse(authorizeUrl(fx.idp.url, other(docs, { prompt: 'none' })), jar));
    const refused = await browse(authorizeUrl(fx.idp.url, other(docs, { prompt: 'none' })), new CookieJar());
    const error = new URL(refused.location!);
    assert.equal(error.searchParams.get('error'), 'login_required');
    assert.equal(error.searchParams.get('error_reason'), 'authentication_required');
    assert.equal(error.searchParams.get('state'), 'sb');
    const combined = new URL((await browse(authorizeUrl(fx.idp.url, other(docs, { prompt: 'none login' })), jar)).location!);
    assert.equal(combined.searchParams.get('error'), 'invalid_request');

    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs, { prompt: 'login' })), jar)), true);
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs, { max_age: '0' })), jar)), true);
    now += 300_000;
    codeOf(await browse(authorizeUrl(fx.idp.url, other(docs, { max_age: '301' })), jar));
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs, { max_age: '299' })), jar)), true);
    const stale = new URL((await browse(authorizeUrl(fx.idp.url, other(docs, { prompt: 'none', max_age: '299' })), jar)).location!);
    assert.equal(stale.searchParams.get('error'), 'login_required');
    const bad = new URL((await browse(authorizeUrl(fx.idp.url, other(docs, { max_age: '-1' })), jar)).location!);
    assert.equal(bad.searchParams.get('error'), 'invalid_request');

    // signing in again on the forced form: a new auth_time and a new session id
    const before = jar.get('fusionauth.sso');
    const page = await browse(authorizeUrl(fx.idp.url, other(docs, { prompt: 'login' })), jar);
    const again = await submitLogin(fx.idp.url, page, jar, fx.user.email, fx.user.password, true);
    assert.equal((await idToken(docs, codeOf(again))).auth_time, Math.floor(now / 1000));
    assert.ok(Math.floor(now / 1000) > signedInAt);
    assert.notEqual(jar.get('fusionauth.sso'), before, 'every sign-in starts a new session id');
    const old = new CookieJar();
    old.set('fusionauth.sso', before!);
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs)), old)), true, 'the replaced session id is dead');
  });

  await t.test('the lifetime is the tenant httpSessionMaxInactiveInterval, counted from the last use; 0 turns SSO off', async () => {
    const invalid = await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { httpSessionMaxInactiveInterval: -1 } });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.fieldErrors['tenant.httpSessionMaxInactiveInterval'][0].code, '[invalid]tenant.httpSessionMaxInactiveInterval');
    assert.equal((await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { httpSessionMaxInactiveInterval: 60 } })).status, 200);
    const jar = new CookieJar();
    await signInA(jar);
    assert.match(jar.raw.get('fusionauth.sso')!, /Max-Age=60;/);
    now += 50_000;
    codeOf(await browse(authorizeUrl(fx.idp.url, other(docs)), jar));
    now += 50_000;
    codeOf(await browse(authorizeUrl(fx.idp.url, other(docs)), jar));
    now += 61_000;
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs)), jar)), true, 'idle for longer than the lifetime');

    assert.equal((await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { httpSessionMaxInactiveInterval: 0 } })).status, 200);
    const off = new CookieJar();
    await signInA(off);
    assert.equal(off.get('fusionauth.sso'), undefined, 'no SSO session, no cookie');
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs)), off)), true);
    assert.equal((await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { httpSessionMaxInactiveInterval: 3600 } })).status, 200);
  });

  await t.test("an application that requires registration still gets the form; the application's rules apply", async () => {
    const jar = new CookieJar();
    await signInA(jar);
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(payroll)), jar)), true);
  });

  await t.test('only the SHA-256 of the cookie is stored', async () => {
    const jar = new CookieJar();
    await signInA(jar);
    const value = jar.get('fusionauth.sso')!;
    const db = new Database(join(fx.idp.dir, 'idp.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, body FROM sso_sessions').all() as { id: string; body: string }[];
      assert.ok(rows.some((r) => r.id === createHash('sha256').update(value).digest('hex')));
      assert.ok(rows.every((r) => !r.id.includes(value) && !r.body.includes(value)), 'the cookie value is nowhere in the table');
    } finally {
      db.close();
    }
  });

  await t.test('a password change ends the session', async () => {
    const jar = new CookieJar();
    await signInA(jar);
    now += 1_000;
    const changed = await fx.idp.api('PATCH', `/api/user/${fx.user.id}`, { user: { password: 'a brand new passphrase' } });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs)), jar)), true);
    assert.equal((await fx.idp.api('PATCH', `/api/user/${fx.user.id}`, { user: { password: fx.user.password } })).status, 200);
  });

  await t.test('/oauth2/logout ends the session and frames the logout URL of every signed-in application', async () => {
    const jar = new CookieJar();
    await signInA(jar);
    codeOf(await browse(authorizeUrl(fx.idp.url, other(docs)), jar));
    const sso = jar.get('fusionauth.sso')!;
    const logout = await browse(`${fx.idp.url}/oauth2/logout?${new URLSearchParams({ client_id: fx.web.id, post_logout_redirect_uri: fx.web.redirect, state: 'bye' })}`, jar);
    assert.equal(logout.status, 200);
    assert.match(logout.html, /<iframe src="http:\/\/127\.0\.0\.1:8\/shop-logout" hidden/);
    assert.match(logout.html, /<iframe src="http:\/\/127\.0\.0\.1:9\/docs-logout" hidden/);
    assert.ok(logout.html.includes(`<meta http-equiv="refresh" content="2; url=${fx.web.redirect}?state=bye">`), logout.html);
    const csp = logout.response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-src http:\/\/127\.0\.0\.1:8 http:\/\/127\.0\.0\.1:9$/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(jar.raw.get('fusionauth.sso')!, /^fusionauth\.sso=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax$/);
    const replay = new CookieJar();
    replay.set('fusionauth.sso', sso);
    assert.equal(isLoginForm(await browse(authorizeUrl(fx.idp.url, other(docs)), replay)), true, 'the session is gone server-side, not just the cookie');

    assert.equal((await fx.idp.api('PATCH', `/api/application/${docs.id}`, { application: { oauthConfiguration: { logoutBehavior: 'Sometimes' } } })).status, 400);
    await fx.idp.api('PATCH', `/api/application/${docs.id}`, { application: { oauthConfiguration: { logoutBehavior: 'RedirectOnly' } } });
    const again = new CookieJar();
    await signInA(again);
    const plain = await browse(`${fx.idp.url}/oauth2/logout?client_id=${docs.id}`, again);
    assert.equal(plain.status, 302, 'RedirectOnly: no front-channel page');
    assert.equal(plain.location, 'http://127.0.0.1:9/docs-logout');
    assert.equal(again.get('fusionauth.sso'), undefined);
  });
});
