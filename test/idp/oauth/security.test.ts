/**
 * Attacks on the OAuth endpoints: open redirects (unregistered, look-alike, prefix, encoded, userinfo,
 * fragment, javascript:, missing client), code replay (refused, and the tokens issued from the code
 * revoked), PKCE downgrade and bad verifiers, a wrong client secret, a login form posted without its CSRF
 * token, repeated wrong passwords (lockout, also through the password grant), and HTML escaping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { basic, formLogin, postForm, startOAuthFixture, type OAuthFixture } from './support.js';

const VERIFIER = 'a'.repeat(20) + 'B'.repeat(23) + '-._~0123';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

function authorizeParams(fx: OAuthFixture, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: fx.web.id,
    redirect_uri: fx.web.redirect,
    response_type: 'code',
    scope: 'openid offline_access',
    state: 'st<"&>',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...extra,
  };
}

async function codeFor(fx: OAuthFixture, extra: Record<string, string> = {}): Promise<string> {
  const login = await formLogin(fx.idp.url, authorizeParams(fx, extra), fx.user.email, fx.user.password);
  assert.equal(login.status, 302, login.html);
  const location = new URL(login.location!);
  assert.equal(`${location.origin}${location.pathname}`, fx.web.redirect);
  assert.equal(location.searchParams.get('state'), 'st<"&>');
  return location.searchParams.get('code')!;
}

const exchange = (fx: OAuthFixture, code: string, extra: Record<string, string> = {}) =>
  postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: fx.web.redirect, code_verifier: VERIFIER, ...extra }, { authorization: basic(fx.web.id, fx.web.secret) });

test('OAuth security', async (t) => {
  const fx = await startOAuthFixture();
  t.after(() => fx.close());

  await t.test('open redirects: an unregistered redirect_uri gets an error page, never a redirect', async () => {
    const port = new URL(fx.web.redirect).port;
    const attempts = [
      'https://evil.example/callback',
      `${fx.web.redirect}/../evil`,
      `${fx.web.redirect}x`,
      `${fx.web.redirect}?next=https://evil.example`,
      `${fx.web.redirect}#frag`,
      `http://127.0.0.1:${port}@evil.example/callback`,
      `http://127.0.0.1.evil.example:${port}/callback`,
      `HTTP://127.0.0.1:${port}/callback`,
      `http://127.0.0.1:${port}/%63allback`,
      `http://127.0.0.1:${port}/callback/`,
      'javascript:alert(1)//',
      '//evil.example/callback',
      '',
    ];
    for (const redirect of attempts) {
      for (const method of ['GET', 'POST'] as const) {
        const params = new URLSearchParams(authorizeParams(fx, { redirect_uri: redirect }));
        const response =
          method === 'GET'
            ? await fetch(`${fx.idp.url}/oauth2/authorize?${params}`, { redirect: 'manual' })
            : await formLogin(fx.idp.url, authorizeParams(fx), fx.user.email, fx.user.password, (form) => form.set('redirect_uri', redirect)).then((r) => ({
                status: r.status,
                headers: new Headers(r.location === null ? {} : { location: r.location }),
              }));
        assert.equal(response.status, 400, `${method} ${redirect}`);
        assert.equal(response.headers.get('location'), null, `${method} ${redirect}: no redirect`);
      }
    }
    // Unknown or missing client: also a page.
    for (const clientId of ['', 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const response = await fetch(`${fx.idp.url}/oauth2/authorize?${new URLSearchParams(authorizeParams(fx, { client_id: clientId }))}`, { redirect: 'manual' });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    }
    // A registered redirect_uri with a bad request: the error goes back to it, with state.
    const bad = await fetch(`${fx.idp.url}/oauth2/authorize?${new URLSearchParams(authorizeParams(fx, { response_type: 'token' }))}`, { redirect: 'manual' });
    assert.equal(bad.status, 302);
    const location = new URL(bad.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, fx.web.redirect);
    assert.equal(location.searchParams.get('error'), 'unsupported_response_type');
    assert.equal(location.searchParams.get('state'), 'st<"&>');
  });

  await t.test('code replay: the second exchange is refused and the first exchange’s tokens are revoked', async () => {
    const code = await codeFor(fx);
    const first = await exchange(fx, code);
    assert.equal(first.status, 200, first.text);
    const introspect = (token: string) => postForm(`${fx.idp.url}/oauth2/introspect`, { token }, { authorization: basic(fx.web.id, fx.web.secret) });
    assert.equal((await introspect(first.body.access_token)).body.active, true);
    const replay = await exchange(fx, code);
    assert.equal(replay.status, 400);
    assert.deepEqual([replay.body.error, replay.body.error_reason], ['invalid_grant', 'auth_code_not_found']);
    assert.equal((await introspect(first.body.access_token)).body.active, false, 'the access token is revoked');
    const refresh = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, { authorization: basic(fx.web.id, fx.web.secret) });
    assert.deepEqual([refresh.status, refresh.body.error], [400, 'invalid_grant'], 'the refresh token is revoked');
    const log = fx.idp.logLines.join('\n');
    for (const secret of [code, first.body.access_token, first.body.refresh_token, first.body.id_token, fx.user.password]) assert.ok(!log.includes(secret), 'no code, token or password in the log');
    assert.match(log, /oauth.code_replay/);
    // Parallel exchanges of one code: exactly one wins.
    const racing = await codeFor(fx);
    const results = await Promise.all([exchange(fx, racing), exchange(fx, racing), exchange(fx, racing)]);
    assert.equal(results.filter((r) => r.status === 200).length, 1);
  });

  await t.test('a code is bound to its client and redirect_uri, and unknown codes are refused', async () => {
    const code = await codeFor(fx);
    const otherRedirect = await exchange(fx, code, { redirect_uri: `${fx.web.redirect}?x=1` });
    assert.deepEqual([otherRedirect.status, otherRedirect.body.error], [400, 'invalid_grant']);
    const unknown = await exchange(fx, 'x'.repeat(43));
    assert.deepEqual([unknown.status, unknown.body.error_reason], [400, 'auth_code_not_found']);
    const otherClient = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code: await codeFor(fx), redirect_uri: fx.web.redirect, code_verifier: VERIFIER }, { authorization: basic(fx.machine.id, fx.machine.secret) });
    assert.equal(otherClient.status, 400);
  });

  await t.test('a failed exchange (wrong redirect_uri, wrong verifier) does not burn the code; a used one is refused', async () => {
    const code = await codeFor(fx);
    assert.equal((await exchange(fx, code, { redirect_uri: `${fx.web.redirect}?x=1` })).body.error_reason, 'invalid_redirect_uri');
    assert.equal((await exchange(fx, code, { code_verifier: 'b'.repeat(43) })).body.error_reason, 'invalid_pkce_code_verifier');
    const good = await exchange(fx, code);
    assert.equal(good.status, 200, `the legitimate exchange still works: ${good.text}`);
    const again = await exchange(fx, code);
    assert.deepEqual([again.status, again.body.error_reason], [400, 'auth_code_not_found'], 'single use once redeemed');
  });

  await t.test('PKCE downgrade: a code bound to a challenge needs its verifier; plain and missing challenges are refused', async () => {
    const noVerifier = await exchange(fx, await codeFor(fx), { code_verifier: '' });
    assert.deepEqual([noVerifier.status, noVerifier.body.error, noVerifier.body.error_reason], [400, 'invalid_request', 'missing_code_verifier']);
    const wrong = await exchange(fx, await codeFor(fx), { code_verifier: 'b'.repeat(43) });
    assert.deepEqual([wrong.status, wrong.body.error, wrong.body.error_reason], [400, 'invalid_grant', 'invalid_pkce_code_verifier']);
    const plainAsVerifier = await exchange(fx, await codeFor(fx), { code_verifier: CHALLENGE });
    assert.equal(plainAsVerifier.body.error_reason, 'invalid_pkce_code_verifier');
    for (const extra of [{ code_challenge_method: 'plain', code_challenge: VERIFIER }, { code_challenge: '', code_challenge_method: '' }, { code_challenge: 'short', code_challenge_method: 'S256' }]) {
      const response = await fetch(`${fx.idp.url}/oauth2/authorize?${new URLSearchParams(authorizeParams(fx, extra))}`, { redirect: 'manual' });
      assert.equal(response.status, 302, JSON.stringify(extra));
      const location = new URL(response.headers.get('location')!);
      assert.equal(location.searchParams.get('error'), 'invalid_request', JSON.stringify(extra));
      assert.equal(location.searchParams.get('code'), null);
    }
    // Even where PKCE is optional, a code bound to a challenge cannot be redeemed without its verifier.
    assert.equal((await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { proofKeyForCodeExchangePolicy: 'NotRequired' } } })).status, 200);
    try {
      const downgraded = await exchange(fx, await codeFor(fx), { code_verifier: '' });
      assert.deepEqual([downgraded.status, downgraded.body.error_reason], [400, 'missing_code_verifier']);
      const withoutPkce = await exchange(fx, await codeFor(fx, { code_challenge: '', code_challenge_method: '' }), { code_verifier: '' });
      assert.equal(withoutPkce.status, 200, 'NotRequired: a code without a challenge needs no verifier');
      const addedLater = await exchange(fx, await codeFor(fx, { code_challenge: '', code_challenge_method: '' }));
      assert.deepEqual([addedLater.status, addedLater.body.error_reason], [400, 'invalid_pkce_code_verifier']);
    } finally {
      await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { proofKeyForCodeExchangePolicy: 'Required' } } });
    }
  });

  await t.test('a wrong client secret is 401 invalid_client (Basic challenge only when Basic was used)', async () => {
    const viaBasic = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code: 'x', redirect_uri: fx.web.redirect }, { authorization: basic(fx.web.id, `${fx.web.secret}x`) });
    assert.equal(viaBasic.status, 401);
    assert.equal(viaBasic.body.error, 'invalid_client');
    assert.match(viaBasic.headers.get('www-authenticate') ?? '', /^Basic /);
    const viaForm = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code: 'x', redirect_uri: fx.web.redirect, client_id: fx.web.id, client_secret: 'nope' });
    assert.equal(viaForm.status, 401);
    assert.equal(viaForm.headers.get('www-authenticate'), null);
    const code = await codeFor(fx);
    const noSecret = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: fx.web.redirect, code_verifier: VERIFIER, client_id: fx.web.id });
    assert.deepEqual([noSecret.status, noSecret.body.error], [401, 'invalid_client'], 'clientAuthenticationPolicy Required');
    assert.ok(!JSON.stringify(fx.idp.logLines).includes(fx.web.secret), 'the secret is never logged');
  });

  await t.test('a login form post without its CSRF token (or with another one) is refused before the password is checked', async () => {
    for (const tamper of [(f: URLSearchParams) => f.delete('csrf'), (f: URLSearchParams) => f.set('csrf', 'A'.repeat(43))]) {
      const login = await formLogin(fx.idp.url, authorizeParams(fx), fx.user.email, fx.user.password, tamper);
      assert.equal(login.status, 403);
      assert.equal(login.location, null);
    }
    // A cross-site post carries no cookie at all.
    const body = new URLSearchParams({ ...authorizeParams(fx), csrf: 'A'.repeat(43), loginId: fx.user.email, password: fx.user.password });
    const forged = await fetch(`${fx.idp.url}/oauth2/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(forged.status, 403);
  });

  await t.test('everything reflected into the page is HTML-escaped', async () => {
    const evil = '"><script>alert(1)</script>';
    const response = await fetch(`${fx.idp.url}/oauth2/authorize?${new URLSearchParams(authorizeParams(fx, { state: evil, nonce: evil, login_hint: evil }))}`);
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.ok(!html.includes('<script'), 'no script element');
    assert.ok(html.includes('&quot;&gt;&lt;script&gt;'));
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
  });

  await t.test('repeated wrong passwords lock the user (hosted page and password grant)', async () => {
    const user = await fx.idp.api('POST', '/api/user/registration', { user: { email: 'eve@example.com', password: 'eve-password-1' }, registration: { applicationId: fx.web.id } });
    assert.equal(user.status, 200);
    const refusal = (html: string) => /<[^>]+role="alert"[^>]*>([^<]*)</.exec(html)?.[1];
    const unknown = await formLogin(fx.idp.url, authorizeParams(fx), 'nobody@example.com', 'wrong');
    for (let i = 0; i < 5; i++) {
      const login = await formLogin(fx.idp.url, authorizeParams(fx), 'eve@example.com', `wrong-${i}`);
      assert.equal(login.status, 400);
      assert.match(login.html, /Invalid login credentials/);
    }
    const locked = await formLogin(fx.idp.url, authorizeParams(fx), 'eve@example.com', 'eve-password-1');
    assert.equal(locked.location, null, 'locked even with the right password');
    // a locked account reads exactly like an unknown one: the page does not reveal that it exists
    assert.equal(locked.status, unknown.status);
    assert.ok(refusal(locked.html) !== undefined);
    assert.equal(refusal(locked.html), refusal(unknown.html));
    const grant = await postForm(`${fx.idp.url}/oauth2/token`, { grant_type: 'password', username: 'eve@example.com', password: 'eve-password-1', scope: 'openid' }, { authorization: basic(fx.web.id, fx.web.secret) });
    assert.deepEqual([grant.status, grant.body.error, grant.body.error_reason], [400, 'invalid_grant', 'user_locked']);
  });
});
