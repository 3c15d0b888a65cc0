/**
 * FusionAuth's hosted backend (`/app/*`) over plain HTTP, as the SDK's browser would drive it: login →
 * the hosted form → callback (the cookies, their HttpOnly flags and paths) → me → refresh → logout; the
 * CSRF defences (a callback this browser did not start is refused before the code is spent; a tampered
 * state cannot redirect elsewhere); CORS for the application's authorized origins only; prompt=none's
 * error carried back to the app; register → /oauth2/register only when self-service registration is on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from '../support.js';
import { basic, postForm, startOAuthFixture } from './support.js';
import { browse, CookieJar, isLoginForm, submitLogin, type Answer } from './sso-support.js';

const ORIGIN = 'http://127.0.0.1:5173';

test('hosted backend', async (t) => {
  const fx = await startOAuthFixture();
  t.after(() => fx.close());
  const patched = await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { authorizedOriginURLs: [ORIGIN], logoutURL: `${ORIGIN}/bye` } } });
  assert.equal(patched.status, 200, patched.text);
  const idp = fx.idp.url;
  const follow = (answer: Answer, jar: CookieJar) => browse(new URL(answer.location!, idp).href, jar);

  /** /app/login → the form → the callback URL (not yet opened). */
  const startAndSignIn = async (jar: CookieJar, query: Record<string, string> = {}) => {
    const start = await browse(`${idp}/app/login/?${new URLSearchParams({ client_id: fx.web.id, redirect_uri: fx.web.redirect, state: 'app-state', ...query })}`, jar);
    assert.equal(start.status, 302, start.html);
    const form = await follow(start, jar);
    assert.equal(isLoginForm(form), true);
    const signedIn = await submitLogin(idp, form, jar, fx.user.email, fx.user.password, true);
    assert.equal(signedIn.status, 302, signedIn.html);
    assert.ok(signedIn.location!.startsWith(`${idp}/app/callback?`), signedIn.location!);
    return { start, callback: signedIn.location! };
  };

  await t.test('login → callback sets the cookies the SDK reads; me, refresh, logout', async () => {
    const jar = new CookieJar();
    const { start, callback } = await startAndSignIn(jar, { login_hint: 'ada' });
    const authorize = new URL(start.location!, idp);
    assert.equal(authorize.pathname, '/oauth2/authorize');
    assert.equal(authorize.searchParams.get('redirect_uri'), `${idp}/app/callback`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('scope'), 'openid offline_access', 'the default scope');
    assert.equal(authorize.searchParams.get('login_hint'), 'ada', 'extra parameters go on to authorize');
    assert.match(Buffer.from(authorize.searchParams.get('state')!, 'base64url').toString(), new RegExp(`^\\{"c":"${fx.web.id}"`));
    assert.match(jar.raw.get('app.pkce_v')!, /^app\.pkce_v=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/app; HttpOnly; SameSite=Lax$/);

    const done = await browse(callback, jar);
    assert.equal(done.status, 302, done.html);
    assert.equal(done.location, `${fx.web.redirect}?state=app-state`);
    assert.match(jar.raw.get('app.at')!, /^app\.at=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=(?:599|600); Path=\/; HttpOnly; SameSite=Lax$/);
    assert.match(jar.raw.get('app.rt')!, /; Path=\/app; HttpOnly; SameSite=Lax$/);
    assert.match(jar.raw.get('app.idt')!, /^app\.idt=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=(?:599|600); Path=\/; SameSite=Lax$/, 'readable by the app');
    const exp = Number(jar.get('app.at_exp'));
    assert.match(jar.raw.get('app.at_exp')!, /; Path=\/; SameSite=Lax$/, 'readable by the app');
    assert.equal(exp, decodeJwt(jar.get('app.at')!).payload.exp, 'epoch seconds of the access token expiry');
    assert.equal(jar.get('app.pkce_v'), undefined, 'the verifier is spent');

    const me = await browse(`${idp}/app/me/`, jar, undefined, { origin: ORIGIN });
    assert.equal(me.status, 200);
    assert.equal(me.response.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(me.response.headers.get('access-control-allow-credentials'), 'true');
    const info = JSON.parse(me.html);
    assert.equal(info.sub, fx.user.id);
    assert.equal(info.email, undefined, 'Strict scope handling: the default scope (openid offline_access) carries no email claim');
    assert.equal((await browse(`${idp}/app/me`, new CookieJar())).status, 401);

    const oldAccess = jar.get('app.at');
    const oldRefresh = jar.get('app.rt')!;
    const refreshUrl = `${idp}/app/refresh/?client_id=${fx.web.id}`;
    const refreshed = await fetch(refreshUrl, { method: 'POST', headers: { cookie: jar.header(), origin: ORIGIN, 'content-type': 'text/plain' } });
    assert.equal(refreshed.status, 200, await refreshed.clone().text());
    assert.equal(refreshed.headers.get('access-control-allow-origin'), ORIGIN);
    jar.store(refreshed);
    assert.notEqual(jar.get('app.at'), oldAccess);
    assert.notEqual(jar.get('app.rt'), oldRefresh, 'OneTimeUse: rotated');
    const stale = jar.copy();
    stale.set('app.rt', oldRefresh);
    const dead = await browse(refreshUrl, stale, new URLSearchParams());
    assert.equal(dead.status, 400);
    assert.equal(JSON.parse(dead.html).error, 'invalid_grant');
    const none = await fetch(`${idp}/app/refresh/${fx.web.id}`, { method: 'POST', headers: { 'content-type': 'text/plain' } });
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { error_reason: string }).error_reason, 'missing_refresh_token');

    const refreshToken = jar.get('app.rt')!;
    const logout = await browse(`${idp}/app/logout/?${new URLSearchParams({ client_id: fx.web.id, post_logout_redirect_uri: fx.web.redirect })}`, jar);
    assert.equal(logout.status, 302);
    assert.equal(logout.location, `/oauth2/logout?client_id=${fx.web.id}&post_logout_redirect_uri=${encodeURIComponent(fx.web.redirect)}`);
    for (const name of ['app.at', 'app.at_exp', 'app.idt', 'app.rt']) {
      assert.match(jar.raw.get(name)!, /Max-Age=0/, name);
      assert.equal(jar.get(name), undefined, name);
    }
    const revoked = await postForm(`${idp}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: basic(fx.web.id, fx.web.secret) });
    assert.equal(revoked.body.error, 'invalid_grant', 'the hosted refresh token is revoked at logout');
    const end = await follow(logout, jar);
    assert.equal(end.status, 200, 'front-channel page: the SSO session had signed in the web shop');
    assert.match(end.html, new RegExp(`<iframe src="${ORIGIN}/bye"`));
  });

  await t.test('CSRF: a callback started in another browser is refused before its code is spent', async () => {
    const attacker = new CookieJar();
    const { callback } = await startAndSignIn(attacker);
    const busyVictim = new CookieJar();
    await browse(`${idp}/app/login/?client_id=${fx.web.id}`, busyVictim); // a sign-in of its own: another verifier
    for (const victim of [new CookieJar(), busyVictim]) {
      const refused = await browse(callback, victim);
      assert.equal(refused.status, 403);
      assert.match(refused.html, /not started in this browser/);
      assert.equal(victim.get('app.at'), undefined);
    }
    const tampered = new URL(callback);
    const state = JSON.parse(Buffer.from(tampered.searchParams.get('state')!, 'base64url').toString());
    tampered.searchParams.set('state', Buffer.from(JSON.stringify({ ...state, r: 'https://evil.example/' })).toString('base64url'));
    const redirected = await browse(tampered.href, attacker.copy());
    assert.equal(redirected.status, 400);
    assert.equal(redirected.location, null);
    const own = await browse(callback, attacker);
    assert.equal(own.status, 302, 'the refused attempts did not spend the code');
    assert.ok(attacker.get('app.at') !== undefined);
  });

  await t.test('CORS: only the application’s authorized origins; a foreign POST is refused', async () => {
    const jar = new CookieJar();
    const { callback } = await startAndSignIn(jar);
    await browse(callback, jar);
    const foreign = await browse(`${idp}/app/me/`, jar, undefined, { origin: 'http://127.0.0.1:6666' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.response.headers.get('access-control-allow-origin'), null);
    const before = jar.get('app.at');
    const post = await fetch(`${idp}/app/refresh/?client_id=${fx.web.id}`, { method: 'POST', headers: { cookie: jar.header(), origin: 'http://127.0.0.1:6666', 'content-type': 'text/plain' } });
    assert.equal(post.status, 403);
    assert.deepEqual(post.headers.getSetCookie(), []);
    assert.equal(jar.get('app.at'), before);
    const preflight = await fetch(`${idp}/app/refresh/?client_id=${fx.web.id}`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
  });

  await t.test('prompt=none through the hosted backend: the error comes back to the app', async () => {
    const jar = new CookieJar();
    const start = await browse(`${idp}/app/login/${fx.web.id}?${new URLSearchParams({ state: 'quiet', prompt: 'none' })}`, jar);
    const authorize = await follow(start, jar);
    assert.equal(authorize.status, 302);
    const back = await browse(authorize.location!, jar);
    const location = new URL(back.location!);
    assert.equal(`${location.origin}${location.pathname}`, fx.web.redirect, 'redirect_uri defaults to the first authorized URL');
    assert.equal(location.searchParams.get('error'), 'login_required');
    assert.equal(location.searchParams.get('state'), 'quiet');
  });

  await t.test('bad requests get an error page, never a redirect', async () => {
    const unknown = await browse(`${idp}/app/login/?client_id=00000000-0000-4000-8000-000000000000`, new CookieJar());
    assert.equal(unknown.status, 400);
    assert.match(unknown.response.headers.get('content-type')!, /^text\/html/);
    const evil = await browse(`${idp}/app/login/${fx.web.id}?redirect_uri=${encodeURIComponent('https://evil.example/')}`, new CookieJar());
    assert.equal(evil.status, 400);
    assert.equal(evil.location, null);
    const foreignCallback = await browse(`${idp}/oauth2/authorize?${new URLSearchParams({ client_id: fx.web.id, response_type: 'code', redirect_uri: 'http://evil.example/app/callback' })}`, new CookieJar());
    assert.equal(foreignCallback.status, 400, 'only this server’s own /app/callback is implicitly authorized');
    assert.equal((await browse(`${idp}/app/callback?code=x&state=notbase64!`, new CookieJar())).status, 400);
  });

  await t.test('register goes to /oauth2/register only when self-service registration is enabled', async () => {
    const off = await browse(`${idp}/app/register/${fx.web.id}`, new CookieJar());
    assert.ok(off.location!.startsWith('/oauth2/authorize?'), off.location!);
    await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { registrationConfiguration: { enabled: true } } });
    const on = await browse(`${idp}/app/register/?client_id=${fx.web.id}&state=r`, new CookieJar());
    const target = new URL(on.location!, idp);
    assert.equal(target.pathname, '/oauth2/register');
    assert.equal(target.searchParams.get('redirect_uri'), `${idp}/app/callback`);
    assert.equal(target.searchParams.get('client_id'), fx.web.id);
  });
});
