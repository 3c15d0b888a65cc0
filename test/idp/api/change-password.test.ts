/**
 * Change password (`/api/user/change-password`): the 203 "password change required" login completes with
 * its changePasswordId (spent after one use), by login id with an API key (a wrong current password is
 * `[invalid]currentPassword`), and by the user's own JWT (a wrong current password is 404). Password
 * rules apply; every refresh token of the user is revoked; the new password logs in, the old does not.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ passwordHashing: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
});
after(() => idp.close());

const login = (loginId: string, password: string, applicationId?: string) => idp.api('POST', '/api/login', { loginId, password, ...(applicationId === undefined ? {} : { applicationId }) });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${idp.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('the 203 flow: changePasswordId, once; rules apply', async () => {
  await idp.api('POST', '/api/user', { user: { email: 'new@example.com', password: 'first-password', passwordChangeRequired: true } });
  const required = await login('new@example.com', 'first-password');
  assert.equal(required.status, 203);
  const id = required.body.changePasswordId as string;
  assert.equal((await fetch(`${idp.url}/api/user/change-password/${id}`)).status, 200, 'the id is usable');
  const short = await post(`/api/user/change-password/${id}`, { password: 'short' });
  assert.equal(short.status, 400);
  assert.equal(((await short.json()) as any).fieldErrors.password[0].code, '[tooShort]password');
  assert.equal((await post(`/api/user/change-password/${id}`, { password: 'second-password' })).status, 200);
  assert.equal((await login('new@example.com', 'second-password')).status, 200, 'no change required any more');
  assert.equal((await login('new@example.com', 'first-password')).status, 404);
  assert.equal((await post(`/api/user/change-password/${id}`, { password: 'third-password' })).status, 404, 'the id is spent');
  assert.equal((await fetch(`${idp.url}/api/user/change-password/${id}`)).status, 404);
});

test('by login id with an API key, and by the user\'s own JWT; refresh tokens are revoked', async () => {
  const app = (await idp.api('POST', '/api/application', { application: { name: 'Pw', loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true } } })).body.application;
  await idp.api('POST', '/api/user/registration', { user: { email: 'pw@example.com', password: 'pw-password-1' }, registration: { applicationId: app.id } });
  const session = (await login('pw@example.com', 'pw-password-1', app.id)).body;
  const wrong = await post('/api/user/change-password', { loginId: 'pw@example.com', currentPassword: 'nope', password: 'pw-password-2' }, { authorization: idp.adminKey });
  assert.equal(wrong.status, 400);
  assert.equal(((await wrong.json()) as any).fieldErrors.currentPassword[0].code, '[invalid]currentPassword');
  assert.equal((await post('/api/user/change-password', { loginId: 'pw@example.com', currentPassword: 'pw-password-1', password: 'pw-password-2' }, { authorization: idp.adminKey })).status, 200);
  assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: session.refreshToken })).status, 400, 'the refresh token was revoked');
  assert.equal((await post('/api/user/change-password', { loginId: 'nobody@example.com', password: 'pw-password-9' }, { authorization: idp.adminKey })).status, 404);

  const jwt = (await login('pw@example.com', 'pw-password-2', app.id)).body.token as string;
  assert.equal((await post('/api/user/change-password', { currentPassword: 'nope', password: 'pw-password-3' }, { authorization: `Bearer ${jwt}` })).status, 404);
  assert.equal((await post('/api/user/change-password', { currentPassword: 'pw-password-2', password: 'pw-password-3' }, { authorization: `Bearer ${jwt}` })).status, 200);
  assert.equal((await login('pw@example.com', 'pw-password-3')).status, 200);
  assert.equal((await post('/api/user/change-password', { password: 'pw-password-4' })).status, 401, 'neither key nor JWT');
  const trust = await post('/api/user/change-password', { currentPassword: 'pw-password-3', password: 'pw-password-4', trustToken: 'x' }, { authorization: `Bearer ${jwt}` });
  assert.equal(((await trust.json()) as any).fieldErrors.trustToken[0].code, '[notImplemented]trustToken');
});
