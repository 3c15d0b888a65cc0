/**
 * POST /api/login statuses (200, 202, 203, 400, 401, 404, 410, 423), the response body and cookies, and
 * the configurable lockout, with a frozen clock instead of sleeping.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
let clock = Date.parse('2026-01-01T00:00:00Z');
let appId: string;
let tenantId: string;

before(async () => {
  idp = await startTestIdp({ now: () => clock });
  tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id;
  await idp.api('PATCH', `/api/tenant/${tenantId}`, {
    tenant: { failedAuthenticationConfiguration: { tooManyAttempts: 3, resetCountInSeconds: 60, actionDuration: 5, actionDurationUnit: 'MINUTES' } },
  });
  appId = (await idp.api('POST', '/api/application', { application: { name: 'Login app', jwtConfiguration: { enabled: true }, roles: [{ name: 'reader' }] } })).body.application.id;
  const user = (await idp.api('POST', '/api/user', { user: { email: 'ann@example.com', username: 'ann', password: 'ann-password' } })).body.user;
  await idp.api('POST', `/api/user/registration/${user.id}`, { registration: { applicationId: appId, roles: ['reader'] } });
  await idp.api('POST', '/api/user', { user: { email: 'unreg@example.com', password: 'unreg-password' } });
});
after(() => idp.close());

const login = (body: unknown, key = idp.adminKey) => idp.api('POST', '/api/login', body, { authorization: key });

test('200: the full body, no password fields, tokenExpirationInstant = exp in ms, HttpOnly cookie', async () => {
  const response = await login({ loginId: 'ann@example.com', password: 'ann-password', applicationId: appId });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const { payload } = decodeJwt(response.body.token);
  assert.equal(payload.exp, Math.floor(response.body.tokenExpirationInstant / 1000));
  assert.equal(response.body.tokenExpirationInstant, clock + 3600 * 1000);
  assert.deepEqual(payload.roles, ['reader']);
  assert.equal(payload.applicationId, appId);
  assert.equal(response.body.user.passwordHash, undefined);
  assert.equal(response.body.user.registrations[0].applicationId, appId);
  assert.equal(response.body.refreshToken, undefined, 'generateRefreshTokens is off by default');
  assert.match(response.headers.get('set-cookie') ?? '', /access_token=[^;]+; Path=\/; HttpOnly/);
  assert.equal((await login({ loginId: 'ANN', password: 'ann-password', applicationId: appId })).status, 200, 'username, any case');
  const stored = (await idp.api('GET', `/api/user/${response.body.user.id}`)).body.user;
  assert.equal(stored.lastLoginInstant, clock, 'lastLoginInstant recorded');
  assert.equal(stored.registrations[0].lastLoginInstant, clock);
});

test('202: authenticated but not registered — the token has aud but no applicationId or roles', async () => {
  const response = await login({ loginId: 'unreg@example.com', password: 'unreg-password', applicationId: appId });
  assert.equal(response.status, 202);
  const { payload } = decodeJwt(response.body.token);
  assert.equal(payload.aud, appId);
  assert.equal(payload.applicationId, undefined);
  assert.equal(payload.roles, undefined);
});

test('no applicationId: no aud; noJWT: no token', async () => {
  const response = await login({ loginId: 'ann@example.com', password: 'ann-password' });
  assert.equal(response.status, 200);
  assert.equal(decodeJwt(response.body.token).payload.aud, undefined);
  const noJwt = await login({ loginId: 'ann@example.com', password: 'ann-password', applicationId: appId, noJWT: true });
  assert.equal(noJwt.status, 200);
  assert.equal(noJwt.body.token, undefined);
  assert.equal(noJwt.body.user.email, 'ann@example.com');
});

test('400: validation errors in FusionAuth shape', async () => {
  const response = await login({ password: 'x' });
  assert.equal(response.status, 400);
  assert.equal(response.body.fieldErrors.loginId[0].code, '[blank]loginId');
  const both = await login({});
  assert.deepEqual(Object.keys(both.body.fieldErrors).sort(), ['loginId', 'password']);
  assert.equal((await login({ loginId: 'a', password: 'b', noJWT: 'yes' })).body.fieldErrors.noJWT[0].code, '[invalid]noJWT');
});

test('401 without a key unless the application says requireAuthentication=false', async () => {
  const noKey = await idp.api('POST', '/api/login', { loginId: 'ann@example.com', password: 'ann-password', applicationId: appId }, { authorization: '' });
  assert.equal(noKey.status, 401);
  assert.equal(noKey.text, '');
  const open = (await idp.api('POST', '/api/application', { application: { name: 'Open app', loginConfiguration: { requireAuthentication: false } } })).body.application;
  const anonymous = await idp.api('POST', '/api/login', { loginId: 'ann@example.com', password: 'ann-password', applicationId: open.id }, { authorization: '' });
  assert.equal(anonymous.status, 202);
});

test('404 with an empty body for an unknown user and for a wrong password', async () => {
  for (const body of [{ loginId: 'ghost@example.com', password: 'whatever' }, { loginId: 'unreg@example.com', password: 'not-it' }]) {
    const response = await login(body);
    assert.equal(response.status, 404);
    assert.equal(response.text, '');
  }
});

test('203 when a password change is required; 410 when the user expired', async () => {
  await idp.api('POST', '/api/user', { user: { email: 'change@example.com', password: 'change-password', passwordChangeRequired: true } });
  const change = await login({ loginId: 'change@example.com', password: 'change-password' });
  assert.equal(change.status, 203);
  assert.equal(change.body.changePasswordReason, 'Administrative');
  assert.match(change.body.changePasswordId, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, as FusionAuth generates them');
  await idp.api('POST', '/api/user', { user: { email: 'old@example.com', password: 'old-password', expiry: clock - 1000 } });
  const expired = await login({ loginId: 'old@example.com', password: 'old-password' });
  assert.equal(expired.status, 410);
  assert.equal(expired.text, '');
});

test('423 from the failure that reaches the configured number, until the lock expires; success resets the count', async () => {
  await idp.api('POST', '/api/user', { user: { email: 'lock@example.com', password: 'lock-password' } });
  const good = { loginId: 'lock@example.com', password: 'lock-password' };
  const bad = { loginId: 'lock@example.com', password: 'wrong' };
  assert.equal((await login(bad)).status, 404);
  assert.equal((await login(bad)).status, 404);
  assert.equal((await login(good)).status, 200, 'two failures do not lock');
  for (let i = 0; i < 2; i++) assert.equal((await login(bad)).status, 404);
  assert.equal((await login(bad)).status, 423, 'the failure that reaches the limit is already 423');
  const locked = await login(good);
  assert.equal(locked.status, 423);
  assert.equal(locked.text, '');
  assert.equal((await login(bad)).status, 423);
  clock += 5 * 60_000 + 1;
  assert.equal((await login(good)).status, 200, 'the lock lasts actionDuration');
  assert.ok(idp.logLines.some((l) => l.includes('"event":"user.locked"')));
});

test('a deactivated user cannot log in (423)', async () => {
  const user = (await idp.api('POST', '/api/user', { user: { email: 'gone@example.com', password: 'gone-password' } })).body.user;
  assert.equal((await idp.api('DELETE', `/api/user/${user.id}`)).status, 200);
  assert.equal((await login({ loginId: 'gone@example.com', password: 'gone-password' })).status, 423);
  assert.equal((await idp.api('PUT', `/api/user/${user.id}?reactivate=true`)).status, 200);
  assert.equal((await login({ loginId: 'gone@example.com', password: 'gone-password' })).status, 200);
});
