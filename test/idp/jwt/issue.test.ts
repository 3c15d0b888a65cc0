/**
 * `GET /api/jwt/issue` (FusionAuth's issueJWT, through the official client): an access token for
 * application A buys one for application B, same user, same `exp`, `authenticationType: JWT_SSO`; 202
 * without roles when the user is not registered to the target; 401 for a bad token; a refresh token
 * passed along is refused (not implemented), never ignored.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { decodeJwt, startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

test('issueJWT: single sign-on from one application to another', async () => {
  const create = async (name: string) => (await idp.api('POST', '/api/application', { application: { name, jwtConfiguration: { enabled: true, timeToLiveInSeconds: 900 }, roles: [{ name: 'reader' }] } })).body.application.id as string;
  const [a, b, c] = [await create('SSO A'), await create('SSO B'), await create('SSO C')];
  const user = (await idp.api('POST', '/api/user/registration', { user: { email: 'sso@example.com', password: 'password123' }, registration: { applicationId: a } })).body.user.id as string;
  assert.equal((await idp.api('POST', `/api/user/registration/${user}`, { registration: { applicationId: b, roles: ['reader'] } })).status, 200);
  const token = (await idp.api('POST', '/api/login', { loginId: 'sso@example.com', password: 'password123', applicationId: a })).body.token as string;
  const original = decodeJwt(token).payload;

  const anon = new FusionAuthClient(null as never, idp.url);
  const issued = await anon.issueJWT(b, token, null as never);
  assert.equal(issued.statusCode, 200);
  const claims = decodeJwt(issued.response.token!).payload;
  assert.equal(claims.aud, b);
  assert.equal(claims.sub, user);
  assert.deepEqual(claims.roles, ['reader']);
  assert.equal(claims.authenticationType, 'JWT_SSO');
  assert.equal(claims.exp, original.exp, 'the same expiry as the presented token');
  assert.equal(claims.auth_time, original.auth_time);
  assert.equal((await fetch(`${idp.url}/api/jwt/validate`, { headers: { authorization: `Bearer ${issued.response.token}` } })).status, 200);

  const unregistered = await anon.issueJWT(c, token, null as never);
  assert.equal(unregistered.statusCode, 202);
  assert.equal(decodeJwt(unregistered.response.token!).payload.roles, undefined);

  const status = (e: unknown) => (e as { statusCode: number }).statusCode;
  assert.equal(await anon.issueJWT(b, `${token.slice(0, -4)}AAAA`, null as never).then(() => 0, status), 401);
  const withRefresh = await fetch(`${idp.url}/api/jwt/issue?applicationId=${b}&refreshToken=abc`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(withRefresh.status, 400);
  assert.equal(((await withRefresh.json()) as any).fieldErrors.refreshToken[0].code, '[notImplemented]refreshToken');
});
