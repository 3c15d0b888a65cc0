/**
 * Malformed requests get FusionAuth-shaped errors (fieldErrors/generalErrors), or the reference's empty
 * statuses, and never a stack trace or a crash.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

function codes(body: { fieldErrors?: Record<string, { code: string }[]>; generalErrors?: { code: string }[] }): string[] {
  return [...Object.values(body.fieldErrors ?? {}).flat(), ...(body.generalErrors ?? [])].map((e) => e.code);
}

test('invalid JSON, non-object bodies and missing wrappers', async () => {
  const broken = await idp.api('POST', '/api/user', '{"user": {', { 'content-type': 'application/json' });
  assert.equal(broken.status, 400);
  assert.deepEqual(codes(broken.body), ['[invalidJSON]']);
  const array = await idp.api('POST', '/api/user', '[1,2]', { 'content-type': 'application/json' });
  assert.equal(array.status, 400);
  assert.deepEqual(codes((await idp.api('POST', '/api/user', {})).body), ['[blank]user']);
  assert.deepEqual(codes((await idp.api('POST', '/api/tenant', { tenant: 'x' })).body), ['[invalid]tenant']);
});

test("user validation uses FusionAuth's codes and messages", async () => {
  const blank = (await idp.api('POST', '/api/user', { user: { password: 'password-1' } })).body;
  assert.equal(blank.fieldErrors['user.email'][0].code, '[blank]user.email');
  assert.equal(blank.fieldErrors['user.email'][0].message, 'You must specify either the [user.email] or [user.username] property. If you are emailing the user you must specify the [user.email].');
  assert.deepEqual(codes((await idp.api('POST', '/api/user', { user: { email: 'a@example.com' } })).body), ['[blank]user.password']);
  assert.deepEqual(codes((await idp.api('POST', '/api/user', { user: { email: 'a@example.com', password: 'short' } })).body), ['[tooShort]user.password']);
  assert.deepEqual(codes((await idp.api('POST', '/api/user', { user: { email: 'not-an-email', password: 'password-1' } })).body), ['[invalid]user.email']);
  assert.deepEqual(codes((await idp.api('POST', '/api/user', { user: { email: 42, password: 'password-1' } })).body).sort(), ['[blank]user.email', '[invalid]user.email'].sort());
  assert.deepEqual(codes((await idp.api('POST', '/api/user', { user: { username: 'u1', password: 'password-1', birthDate: '1999-13-45' } })).body), ['[invalid]user.birthDate']);
  assert.deepEqual(codes((await idp.api('POST', '/api/user/registration', { registration: {} })).body), ['[missing]registration.applicationId']);
  assert.equal((await idp.api('POST', '/api/user/registration', { registration: {} })).body.fieldErrors['registration.applicationId'][0].message, 'You must specify the [registration.applicationId] property.');
});

test('registration errors: unknown role, duplicate registration, unknown user', async () => {
  const app = (await idp.api('POST', '/api/application', { application: { name: 'Roles app', roles: [{ name: 'a' }] } })).body.application;
  const user = (await idp.api('POST', '/api/user', { user: { email: 'reg@example.com', password: 'password-r' } })).body.user;
  assert.deepEqual(codes((await idp.api('POST', `/api/user/registration/${user.id}`, { registration: { applicationId: app.id, roles: ['nope'] } })).body), ['[invalid]registration.roles']);
  assert.equal((await idp.api('POST', `/api/user/registration/${user.id}`, { registration: { applicationId: app.id } })).status, 200);
  assert.deepEqual(codes((await idp.api('POST', `/api/user/registration/${user.id}`, { registration: { applicationId: app.id } })).body), ['[duplicate]registration']);
  assert.equal((await idp.api('POST', '/api/user/registration/00000000-0000-4000-8000-000000000000', { registration: { applicationId: app.id } })).status, 404);
  assert.deepEqual(codes((await idp.api('POST', '/api/application', { application: { name: 'Roles app' } })).body), ['[duplicate]application.name']);
});

test('with two tenants, creates and email lookups need the tenant header', async () => {
  await idp.api('POST', '/api/tenant', { tenant: { name: 'Second' } });
  const response = await idp.api('POST', '/api/user', { user: { email: 'two@example.com', password: 'password-2' } });
  assert.equal(response.status, 400);
  assert.deepEqual(codes(response.body), ['[TenantIdRequired]']);
  assert.deepEqual(codes((await idp.api('GET', '/api/user?email=two@example.com')).body), ['[TenantIdRequired]']);
  assert.deepEqual(codes((await idp.api('GET', '/api/user?email=x@example.com', undefined, { 'x-fusionauth-tenantid': 'not-a-uuid' })).body), ['[InvalidTenantId]']);
});

test('unknown routes and unparseable ids are 404 with an empty body; a huge body is refused', async () => {
  for (const path of ['/api/nothing', '/api/user/not-a-uuid', '/api/tenant/123', '/api/key/%00']) {
    const response = await idp.api('GET', path);
    assert.equal(response.status, 404, path);
    assert.equal(response.text, '');
  }
  const huge = await idp.api('POST', '/api/user', JSON.stringify({ user: { email: 'big@example.com', password: 'x'.repeat(2 * 1024 * 1024) } }));
  assert.equal(huge.status, 413);
  assert.doesNotMatch(huge.text, /at .*\.js/);
});

test('JWT endpoints: bad refresh tokens, revocation without a selector, garbage bearer tokens', async () => {
  assert.deepEqual(codes((await idp.api('POST', '/api/jwt/refresh', { refreshToken: 'nope' })).body), ['[invalid]refreshToken']);
  assert.deepEqual(codes((await idp.api('POST', '/api/jwt/refresh', {})).body), ['[blank]refreshToken']);
  assert.deepEqual(codes((await idp.api('POST', '/api/jwt/refresh', { refreshToken: 7 })).body), ['[invalid]refreshToken']);
  assert.deepEqual(codes((await idp.api('DELETE', '/api/jwt/refresh')).body), ['[invalid]token']);
  for (const value of ['Bearer ', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', `Bearer ${'A'.repeat(10_000)}`]) {
    const response = await idp.api('GET', '/api/jwt/validate', undefined, { authorization: value });
    assert.equal(response.status, 401);
    assert.equal(response.text, '');
  }
});

test('a request cut off mid-body does not take the server down', async () => {
  await new Promise<void>((resolve) => {
    const url = new URL(`${idp.url}/api/user`);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000', authorization: idp.adminKey } });
    req.on('error', () => resolve());
    req.write('{"user":');
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 50);
  });
  assert.equal((await idp.api('GET', '/api/tenant')).status, 200);
});

test('two simultaneous creates of one email: one user, one [duplicate]user.email', async () => {
  const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants.find((t: { name: string }) => t.name === 'Default').id;
  const headers = { 'x-fusionauth-tenantid': tenantId };
  const answers = await Promise.all([1, 2, 3].map(() => idp.api('POST', '/api/user', { user: { email: 'race@example.com', password: 'race-password' } }, headers)));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400]);
  for (const a of answers.filter((x) => x.status === 400)) assert.deepEqual(codes(a.body), ['[duplicate]user.email']);
});
