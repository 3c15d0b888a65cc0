/**
 * The JWT endpoints beyond the client suite: discovery documents, public-key variants, validation by
 * cookie and expiry, refresh policies (one-time use, expiry, disabled, TTL), revocation by the token's
 * owner, and logout. The clock is frozen and moved instead of sleeping.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
let clock = Date.parse('2026-03-01T00:00:00Z');
let tenantId: string;
let app: { id: string };
const password = 'jwt-password';

before(async () => {
  idp = await startTestIdp({ now: () => clock, issuer: 'https://jwt.example' });
  tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id;
  app = (await idp.api('POST', '/api/application', {
    application: {
      name: 'JWT app',
      jwtConfiguration: { enabled: true, timeToLiveInSeconds: 300, refreshTokenTimeToLiveInMinutes: 60, refreshTokenUsagePolicy: 'OneTimeUse' },
      loginConfiguration: { allowTokenRefresh: true, generateRefreshTokens: true },
    },
  })).body.application;
  await idp.api('POST', '/api/user/registration', { user: { email: 'jwt@example.com', password }, registration: { applicationId: app.id } });
});
after(() => idp.close());

const login = async () => (await idp.api('POST', '/api/login', { loginId: 'jwt@example.com', password, applicationId: app.id })).body;

test('discovery: global, ?tenantId= and per-tenant path; only implemented endpoints listed', async () => {
  const global = (await idp.api('GET', '/.well-known/openid-configuration', undefined, { authorization: '' })).body;
  assert.equal(global.issuer, 'https://jwt.example');
  assert.equal(global.jwks_uri, `${idp.url}/.well-known/jwks.json`);
  // The OAuth endpoints are listed now that src/idp/oauth serves them (test/idp/oauth/endpoints.test.ts probes each).
  assert.equal(global.token_endpoint, `${idp.url}/oauth2/token`);
  assert.equal(global.device_authorization_endpoint, undefined, 'not implemented, not listed');
  const other = (await idp.api('POST', '/api/tenant', { tenant: { name: 'Other', issuer: 'https://other.example' } })).body.tenant;
  assert.equal((await idp.api('GET', `/.well-known/openid-configuration?tenantId=${other.id}`)).body.issuer, 'https://other.example');
  assert.equal((await idp.api('GET', `/${other.id}/.well-known/openid-configuration`)).body.issuer, 'https://other.example');
  assert.equal((await idp.api('GET', '/00000000-0000-4000-8000-000000000000/.well-known/openid-configuration')).status, 404);
  assert.equal((await idp.api('DELETE', `/api/tenant/${other.id}`)).status, 200);
});

test('public keys: 404 for an unknown kid or application, {} for an application signing with HMAC', async () => {
  assert.equal((await idp.api('GET', '/api/jwt/public-key?kid=nope')).status, 404);
  assert.equal((await idp.api('GET', '/api/jwt/public-key?applicationId=00000000-0000-4000-8000-000000000000')).status, 404);
  const hmacApp = (await idp.api('POST', '/api/application', { application: { name: 'HMAC app' } })).body.application;
  assert.deepEqual((await idp.api('GET', `/api/jwt/public-key?applicationId=${hmacApp.id}`)).body, {});
  const all = (await idp.api('GET', '/api/jwt/public-key')).body.publicKeys;
  assert.ok(Object.values(all).every((pem) => String(pem).includes('BEGIN PUBLIC KEY')));
});

test('validate: by cookie as well as header; 401 once expired', async () => {
  const { token } = await login();
  assert.equal((await idp.api('GET', '/api/jwt/validate', undefined, { authorization: '', cookie: `other=1; access_token=${token}` })).status, 200);
  clock += 301_000;
  assert.equal((await idp.api('GET', '/api/jwt/validate', undefined, { authorization: `Bearer ${token}` })).status, 401);
});

test('refresh: one-time use rotates the value; the old value is then invalid; the cookie wins over the body', async () => {
  const first = await login();
  const refreshed = await idp.api('POST', '/api/jwt/refresh', { refreshToken: first.refreshToken });
  assert.equal(refreshed.status, 200);
  assert.notEqual(refreshed.body.refreshToken, first.refreshToken);
  assert.equal(refreshed.body.refreshTokenId, first.refreshTokenId);
  const claims = decodeJwt(refreshed.body.token).payload;
  assert.equal(claims.sid, first.refreshTokenId);
  assert.equal(claims.authenticationType, 'REFRESH_TOKEN');
  assert.equal(decodeJwt(refreshed.body.token).header.gty, undefined, 'Login API tokens carry no gty');
  assert.match(refreshed.headers.get('set-cookie') ?? '', /refresh_token=[^;]+; Max-Age=3600/);
  assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: first.refreshToken })).status, 400);
  const viaCookie = await idp.api('POST', '/api/jwt/refresh', { refreshToken: 'ignored' }, { cookie: `refresh_token=${refreshed.body.refreshToken}` });
  assert.equal(viaCookie.status, 200);
});

test('refresh: expires after the TTL (Fixed), rejects a longer timeToLiveInSeconds, honours allowTokenRefresh=false', async () => {
  const session = await login();
  const tooLong = await idp.api('POST', '/api/jwt/refresh', { refreshToken: session.refreshToken, timeToLiveInSeconds: 301 });
  assert.equal(tooLong.body.fieldErrors.timeToLiveInSeconds[0].code, '[invalid]timeToLiveInSeconds');
  const shorter = await idp.api('POST', '/api/jwt/refresh', { refreshToken: session.refreshToken, timeToLiveInSeconds: 60 });
  const claims = decodeJwt(shorter.body.token).payload as { exp: number; iat: number };
  assert.equal(claims.exp - claims.iat, 60);
  clock += 61 * 60_000;
  assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: shorter.body.refreshToken })).body.fieldErrors.refreshToken[0].code, '[invalid]refreshToken');
  const again = await login();
  await idp.api('PATCH', `/api/application/${app.id}`, { application: { loginConfiguration: { allowTokenRefresh: false } } });
  const disabled = await idp.api('POST', '/api/jwt/refresh', { refreshToken: again.refreshToken });
  assert.equal(disabled.status, 400);
  assert.equal(disabled.body.fieldErrors.refreshToken[0].code, '[disabled]refreshToken');
  await idp.api('PATCH', `/api/application/${app.id}`, { application: { loginConfiguration: { allowTokenRefresh: true } } });
});

test("a JWT may revoke its own user's refresh tokens but not another user's; logout with global revokes all", async () => {
  const mine = await login();
  const other = (await idp.api('POST', '/api/user/registration', { user: { email: 'other@example.com', password }, registration: { applicationId: app.id } })).body;
  const asOwner = { authorization: `Bearer ${mine.token}` };
  const ownList = await idp.api('GET', `/api/jwt/refresh?userId=${decodeJwt(mine.token).payload.sub as string}`, undefined, asOwner);
  assert.ok(ownList.body.refreshTokens.some((r: { id: string }) => r.id === mine.refreshTokenId));
  assert.equal((await idp.api('GET', `/api/jwt/refresh?userId=${decodeJwt(other.token).payload.sub as string}`, undefined, asOwner)).status, 401);
  assert.equal((await idp.api('DELETE', `/api/jwt/refresh/${other.refreshTokenId}`, undefined, asOwner)).status, 404);
  assert.equal((await idp.api('DELETE', `/api/jwt/refresh/${mine.refreshTokenId}`, undefined, asOwner)).status, 200);
  assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: mine.refreshToken })).status, 400);
  assert.equal((await idp.api('DELETE', `/api/jwt/refresh/${other.refreshTokenId}`, undefined, { authorization: '' })).status, 401);

  const a = await login();
  const b = await login();
  const logout = await idp.api('POST', '/api/logout', { global: true, refreshToken: a.refreshToken }, { authorization: '' });
  assert.equal(logout.status, 200);
  assert.match(logout.headers.get('set-cookie') ?? '', /access_token=; Max-Age=0/);
  assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: b.refreshToken })).status, 400);
  assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: other.refreshToken })).status, 200, "another user's session is untouched");
  void tenantId;
});

test('two simultaneous exchanges of one one-time-use refresh token: exactly one wins', async () => {
  const session = await login();
  const answers = await Promise.all([1, 2, 3].map(() => idp.api('POST', '/api/jwt/refresh', { refreshToken: session.refreshToken })));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400]);
});

test('SlidingWindow: each use extends the refresh token; idle longer than the TTL ends it', async () => {
  await idp.api('PATCH', `/api/application/${app.id}`, { application: { jwtConfiguration: { refreshTokenExpirationPolicy: 'SlidingWindow', refreshTokenUsagePolicy: 'Reusable' } } });
  try {
    const session = await login();
    for (let i = 0; i < 3; i++) {
      clock += 50 * 60_000;
      assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: session.refreshToken })).status, 200, `use ${i + 1} after 50 minutes`);
    }
    clock += 61 * 60_000;
    assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: session.refreshToken })).status, 400);
  } finally {
    await idp.api('PATCH', `/api/application/${app.id}`, { application: { jwtConfiguration: { refreshTokenExpirationPolicy: 'Fixed', refreshTokenUsagePolicy: 'OneTimeUse' } } });
  }
});
