/**
 * The token endpoint's other grants and errors, userinfo, introspection, logout and the discovery
 * document, over real HTTP: the password grant (FusionAuth's error mapping), refresh with Reusable and
 * OneTimeUse rotation and scope narrowing, RFC 6749 error bodies, Basic vs form client authentication,
 * public clients with PKCE, and logout redirects that never leave the registered addresses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeJwt } from '../support.js';
import { basic, formLogin, postForm, startOAuthFixture } from './support.js';

const VERIFIER = 'v'.repeat(50);
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

test('OAuth endpoints', async (t) => {
  const fx = await startOAuthFixture({ webJwt: { refreshTokenUsagePolicy: 'Reusable' } });
  t.after(() => fx.close());
  const tokenUrl = `${fx.idp.url}/oauth2/token`;
  const web = { authorization: basic(fx.web.id, fx.web.secret) };

  await t.test('discovery lists exactly what is served', async () => {
    const doc = (await (await fetch(`${fx.idp.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.deepEqual(doc.grant_types_supported, ['authorization_code', 'refresh_token', 'password', 'client_credentials']);
    assert.deepEqual(doc.response_types_supported, ['code']);
    assert.deepEqual(doc.response_modes_supported, ['query']);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    assert.ok(!('device_authorization_endpoint' in doc), 'no device flow is served');
    for (const member of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'introspection_endpoint', 'end_session_endpoint', 'jwks_uri']) {
      const url = doc[member] as string;
      assert.ok(url.startsWith(fx.idp.url), member);
      const probe = await fetch(url, { method: member === 'token_endpoint' || member === 'introspection_endpoint' ? 'POST' : 'GET', redirect: 'manual' });
      assert.notEqual(probe.status, 404, `${member} is served`);
    }
    const perTenant = (await (await fetch(`${fx.idp.url}/${fx.tenantId}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(perTenant.token_endpoint, doc.token_endpoint);
  });

  await t.test('password grant: tokens, id_token and FusionAuth error reasons', async () => {
    const ok = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, scope: 'openid email offline_access' }, web);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Object.keys(ok.body), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'refresh_token_id', 'scope', 'token_type', 'userId']);
    assert.equal(ok.body.token_type, 'Bearer');
    assert.equal(ok.body.userId, fx.user.id);
    assert.deepEqual(decodeJwt(ok.body.access_token).header.gty, ['password']);
    const id = decodeJwt(ok.body.id_token).payload;
    assert.equal(id.aud, fx.web.id);
    assert.equal(id.email, fx.user.email);
    assert.equal(id.given_name, undefined, 'no profile scope, no profile claims');
    assert.equal(id.at_hash, createHash('sha256').update(ok.body.access_token).digest().subarray(0, 16).toString('base64url'));
    const wrong = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: 'nope-nope', scope: 'openid' }, web);
    assert.deepEqual(wrong.body, { error: 'invalid_grant', error_description: 'The user credentials are invalid.', error_reason: 'invalid_user_credentials' });
    const unknownScope = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, scope: 'openid admin' }, web);
    assert.deepEqual([unknownScope.status, unknownScope.body.error], [400, 'invalid_scope']);
    const noRefresh = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password }, { ...web });
    assert.equal(noRefresh.body.refresh_token, undefined, 'no offline_access, no refresh token');
    assert.equal(noRefresh.body.id_token, undefined, 'no openid, no id token');
    const viaForm = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, client_id: fx.web.id, client_secret: fx.web.secret });
    assert.equal(viaForm.status, 200, 'client_secret_post');
  });

  await t.test('refresh_token: Reusable keeps the value, scope can narrow but not widen, another client cannot use it', async () => {
    const login = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, scope: 'openid email offline_access' }, web);
    const refresh = login.body.refresh_token as string;
    const first = await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: refresh, scope: 'openid' }, web);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.refresh_token, refresh, 'Reusable');
    assert.equal(first.body.scope, 'openid');
    assert.equal(decodeJwt(first.body.access_token).payload.authenticationType, 'REFRESH_TOKEN');
    assert.equal(decodeJwt(first.body.access_token).payload.sid, login.body.refresh_token_id);
    const wider = await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: refresh, scope: 'openid profile' }, web);
    assert.deepEqual([wider.status, wider.body.error], [400, 'invalid_scope']);
    const foreign = await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: refresh }, { authorization: basic(fx.machine.id, fx.machine.secret) });
    assert.equal(foreign.status, 400);
    const bogus = await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: 'nope' }, web);
    assert.deepEqual([bogus.body.error, bogus.body.error_reason], ['invalid_grant', 'refresh_token_not_found']);
  });

  await t.test('RFC 6749 errors: grant type, request shape, duplicate parameters', async () => {
    const unsupported = await postForm(tokenUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }, web);
    assert.deepEqual([unsupported.status, unsupported.body.error], [400, 'unsupported_grant_type']);
    const missing = await postForm(tokenUrl, {}, web);
    assert.deepEqual([missing.body.error, missing.body.error_reason], ['invalid_request', 'missing_grant_type']);
    const json = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...web }, body: '{"grant_type":"password"}' });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
    const twice = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...web }, body: 'grant_type=password&grant_type=client_credentials' });
    assert.equal(((await twice.json()) as { error: string }).error, 'invalid_request');
    const noClient = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: 'x' });
    assert.deepEqual([noClient.status, noClient.body.error_reason], [400, 'missing_client_id']);
    const unknownClient = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: 'x', client_id: '00000000-0000-4000-8000-000000000000', client_secret: 's' });
    assert.deepEqual([unknownClient.status, unknownClient.body.error], [401, 'invalid_client']);
    const both = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: 'x', client_secret: fx.web.secret }, web);
    assert.equal(both.body.error, 'invalid_request', 'Basic and client_secret together');
    const garbage = await postForm(tokenUrl, { grant_type: 'password' }, { authorization: 'Basic %%%' });
    assert.equal(garbage.status, 401);
  });

  await t.test('a public client: PKCE stands in for the secret under NotRequiredWhenUsingPKCE', async () => {
    await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { clientAuthenticationPolicy: 'NotRequiredWhenUsingPKCE' } } });
    try {
      const params = { client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid offline_access', code_challenge: CHALLENGE, code_challenge_method: 'S256' };
      const login = await formLogin(fx.idp.url, params, fx.user.email, fx.user.password);
      const code = new URL(login.location!).searchParams.get('code')!;
      const exchanged = await postForm(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: fx.web.redirect, client_id: fx.web.id, code_verifier: VERIFIER });
      assert.equal(exchanged.status, 200, exchanged.text);
      const publicRefresh = await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token, client_id: fx.web.id });
      assert.equal(publicRefresh.status, 200, 'a PKCE-obtained refresh token refreshes without a secret');
      const confidentialToken = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, scope: 'offline_access' }, web);
      const withoutSecret = await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: confidentialToken.body.refresh_token, client_id: fx.web.id });
      assert.deepEqual([withoutSecret.status, withoutSecret.body.error], [401, 'invalid_client'], 'a refresh token not obtained with PKCE needs the secret');
      const password = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, client_id: fx.web.id });
      assert.deepEqual([password.status, password.body.error], [401, 'invalid_client'], 'no PKCE, no secret: refused');

      // PKCE NotRequiredWhenUsingClientAuthentication: a code without a challenge needs the client's secret.
      await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { clientAuthenticationPolicy: 'NotRequired', proofKeyForCodeExchangePolicy: 'NotRequiredWhenUsingClientAuthentication' } } });
      const plain = { client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid' };
      const codeWithout = async () => new URL((await formLogin(fx.idp.url, plain, fx.user.email, fx.user.password)).location!).searchParams.get('code')!;
      const publicClient = await postForm(tokenUrl, { grant_type: 'authorization_code', code: await codeWithout(), redirect_uri: fx.web.redirect, client_id: fx.web.id });
      assert.deepEqual([publicClient.status, publicClient.body.error_reason], [400, 'missing_code_verifier']);
      const confidential = await postForm(tokenUrl, { grant_type: 'authorization_code', code: await codeWithout(), redirect_uri: fx.web.redirect }, web);
      assert.equal(confidential.status, 200, confidential.text);
    } finally {
      await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { proofKeyForCodeExchangePolicy: 'Required' } } });
      await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { clientAuthenticationPolicy: 'Required' } } });
    }
  });

  await t.test('userinfo and introspect', async () => {
    const login = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, scope: 'openid profile offline_access' }, web);
    const access = login.body.access_token as string;
    const info = await fetch(`${fx.idp.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${access}` } });
    assert.equal(info.status, 200);
    assert.deepEqual(await info.json(), { sub: fx.user.id, family_name: 'Lovelace', given_name: 'Ada', name: 'Ada Lovelace', preferred_username: 'ada' });
    for (const header of [undefined, 'Bearer', 'Bearer abc.def.ghi', `Basic ${access}`]) {
      const r = await fetch(`${fx.idp.url}/oauth2/userinfo`, { headers: header === undefined ? {} : { authorization: header } });
      assert.equal(r.status, 401, String(header));
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    }
    const noOpenid = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password }, web);
    assert.equal((await fetch(`${fx.idp.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${noOpenid.body.access_token}` } })).status, 403);

    const introspect = (token: string, headers: Record<string, string> = web, form: Record<string, string> = {}) => postForm(`${fx.idp.url}/oauth2/introspect`, { token, ...form }, headers);
    const active = await introspect(access);
    assert.equal(active.body.active, true);
    assert.equal(active.body.sub, fx.user.id);
    assert.deepEqual((await introspect(access, { authorization: basic(fx.machine.id, fx.machine.secret) })).body, { active: false }, 'not issued to that client');
    assert.deepEqual((await introspect('garbage')).body, { active: false });
    assert.equal((await introspect(access, { authorization: basic(fx.web.id, 'wrong') })).status, 401);
    assert.equal((await introspect(access, {}, { client_id: fx.web.id })).body.active, true, 'client_id alone, as FusionAuth allows');
    // Revoking the refresh token (the session) makes its access token inactive.
    await fx.idp.api('DELETE', `/api/jwt/refresh/${login.body.refresh_token_id}`);
    assert.deepEqual((await introspect(access)).body, { active: false });
    assert.equal((await fetch(`${fx.idp.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${access}` } })).status, 401);
  });

  await t.test('scopeHandlingPolicy Compatibility and unknownScopePolicy Remove / Allow', async () => {
    const patch = (oauthConfiguration: Record<string, unknown>) => fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration } });
    try {
      assert.equal((await patch({ scopeHandlingPolicy: 'Compatibility', unknownScopePolicy: 'Remove' })).status, 200);
      const removed = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, scope: 'openid custom:thing' }, web);
      assert.equal(removed.body.scope, 'openid', 'Remove drops the unknown scope');
      const access = decodeJwt(removed.body.access_token).payload;
      assert.equal(access.email, fx.user.email, 'Compatibility: profile claims in the access token');
      const info = (await (await fetch(`${fx.idp.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${removed.body.access_token}` } })).json()) as Record<string, unknown>;
      assert.deepEqual([info.applicationId, info.roles, info.given_name], [fx.web.id, ['viewer'], 'Ada']);
      await patch({ unknownScopePolicy: 'Allow' });
      const allowed = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, scope: 'openid custom:thing' }, web);
      assert.equal(allowed.body.scope, 'openid custom:thing');
    } finally {
      await patch({ scopeHandlingPolicy: 'Strict', unknownScopePolicy: 'Reject' });
    }
  });

  await t.test('userState: AuthenticatedNotRegistered, and requireRegistration refuses unregistered users inline', async () => {
    assert.equal((await fx.idp.api('POST', '/api/user', { user: { email: 'walk-in@example.com', password: 'walk-in-password' } })).status, 200);
    const params = { client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', code_challenge: CHALLENGE, code_challenge_method: 'S256' };
    const login = await formLogin(fx.idp.url, params, 'walk-in@example.com', 'walk-in-password');
    assert.equal(new URL(login.location!).searchParams.get('userState'), 'AuthenticatedNotRegistered');
    await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { requireRegistration: true } } });
    try {
      const refused = await formLogin(fx.idp.url, params, 'walk-in@example.com', 'walk-in-password');
      assert.equal(refused.status, 403);
      assert.equal(refused.location, null);
      assert.match(refused.html, /not registered for this application/);
    } finally {
      await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { requireRegistration: false } } });
    }
  });

  await t.test('logout: revokes the id token’s session and redirects only to registered addresses', async () => {
    const login = await postForm(tokenUrl, { grant_type: 'password', username: 'ada', password: fx.user.password, scope: 'openid offline_access' }, web);
    const logout = async (params: Record<string, string>) => {
      const r = await fetch(`${fx.idp.url}/oauth2/logout?${new URLSearchParams(params)}`, { redirect: 'manual' });
      return { status: r.status, location: r.headers.get('location') };
    };
    const done = await logout({ client_id: fx.web.id, id_token_hint: login.body.id_token, post_logout_redirect_uri: fx.web.redirect, state: 's1' });
    assert.equal(done.status, 302);
    assert.equal(done.location, `${fx.web.redirect}?state=s1`);
    const refresh = await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: login.body.refresh_token }, web);
    assert.equal(refresh.body.error, 'invalid_grant', 'the session’s refresh token is revoked');
    for (const target of ['https://evil.example/', `${fx.web.redirect}.evil.example`, '//evil.example']) {
      const r = await logout({ client_id: fx.web.id, post_logout_redirect_uri: target });
      assert.equal(r.location, '/', target);
    }
    await fx.idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { oauthConfiguration: { logoutURL: 'http://127.0.0.1:1/bye' } } });
    assert.equal((await logout({ client_id: fx.web.id, post_logout_redirect_uri: 'https://evil.example/' })).location, 'http://127.0.0.1:1/bye');
    assert.equal((await logout({ post_logout_redirect_uri: 'https://evil.example/' })).location, '/', 'no client, no redirect');
  });
});
