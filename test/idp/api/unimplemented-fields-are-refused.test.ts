/**
 * A FusionAuth field Gatehouse does not implement is refused with a FusionAuth-shaped 400 naming it, never
 * accepted and dropped: a user told that two-factor is on is never created (or patched) without it, and so
 * never logs in with a password alone — an authenticator method is implemented (login answers 242), an
 * email method is refused. Empty values, as a retrieve echoes them, pass; a member that is no FusionAuth
 * field at all is `[unknown]`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

const twoFactor = { methods: [{ method: 'sms', mobilePhone: '+15555550100' }] };
const totp = { methods: [{ method: 'authenticator', secret: 'JBSWY3DPEHPK3PXP' }] };

test('user create and patch refuse an email two-factor method and memberships, naming them', async () => {
  const created = await idp.api('POST', '/api/user', { user: { email: 'mfa@example.com', password: 'password123', twoFactor } });
  assert.equal(created.status, 400, created.text);
  assert.equal(created.body.fieldErrors['user.twoFactor.methods[0].method'][0].code, '[notImplemented]user.twoFactor.methods[0].method');
  assert.equal((await idp.api('GET', '/api/user?email=mfa@example.com')).status, 404, 'no user was created');
  assert.equal((await idp.api('POST', '/api/login', { loginId: 'mfa@example.com', password: 'password123' })).status, 404);
  const withTotp = await idp.api('POST', '/api/user', { user: { email: 'totp@example.com', password: 'password123', twoFactor: totp } });
  assert.equal(withTotp.status, 200, withTotp.text);
  assert.equal(withTotp.body.user.twoFactor.methods[0].method, 'authenticator');
  assert.equal((await idp.api('POST', '/api/login', { loginId: 'totp@example.com', password: 'password123' })).status, 242, 'two-factor is on: the password alone is not enough');

  const plain = await idp.api('POST', '/api/user', { user: { email: 'plain@example.com', password: 'password123', twoFactor: { methods: [] }, memberships: [] } });
  assert.equal(plain.status, 200, `empty values ask for nothing: ${plain.text}`);
  const id = plain.body.user.id as string;
  const patched = await idp.api('PATCH', `/api/user/${id}`, { user: { twoFactor } });
  assert.equal(patched.status, 400);
  assert.equal(patched.body.fieldErrors['user.twoFactor.methods[0].method'][0].code, '[notImplemented]user.twoFactor.methods[0].method');
  const member = await idp.api('PUT', `/api/user/${id}`, { user: { email: 'plain@example.com', memberships: [{ groupId: '8b5d7c0e-1f6a-4b8e-9a4c-2d3e4f5a6b7c' }] } });
  assert.equal(member.body.fieldErrors['user.memberships'][0].code, '[notImplemented]user.memberships');
  assert.equal((await idp.api('POST', '/api/login', { loginId: 'plain@example.com', password: 'password123' })).status, 200);

  const typo = await idp.api('POST', '/api/user', { user: { emial: 'typo@example.com', email: 'typo@example.com', password: 'password123' } });
  assert.equal(typo.body.fieldErrors['user.emial'][0].code, '[unknown]user.emial');

  const retrieved = (await idp.api('GET', `/api/user/${id}`)).body.user;
  assert.equal((await idp.api('PUT', `/api/user/${id}`, { user: retrieved })).status, 200, 'a retrieved user can be sent back as it is');
});

test('there is no set-password email, so a create asking for it is refused', async () => {
  const app = (await idp.api('POST', '/api/application', { application: { name: 'Mail' } })).body.application;
  const combined = await idp.api('POST', '/api/user/registration', { sendSetPasswordEmail: true, user: { email: 'nopass@example.com' }, registration: { applicationId: app.id } });
  assert.equal(combined.status, 400);
  assert.equal(combined.body.fieldErrors.sendSetPasswordEmail[0].code, '[notImplemented]sendSetPasswordEmail');
  const single = await idp.api('POST', '/api/user', { sendSetPasswordEmail: true, user: { email: 'nopass@example.com' } });
  assert.equal(single.body.fieldErrors.sendSetPasswordEmail[0].code, '[notImplemented]sendSetPasswordEmail');
  assert.equal((await idp.api('GET', '/api/user?email=nopass@example.com')).status, 404);
});

test('unsupported endpoints answer an empty 404, not a user-create error or a 401', async () => {
  for (const [method, path] of [['POST', '/api/user/action'], ['POST', '/api/user/import'], ['POST', '/api/passwordless/send'], ['PUT', '/api/user/family?email=a@example.com']] as const) {
    for (const headers of [{}, { authorization: '' }]) {
      const response = await fetch(`${idp.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(headers.authorization === undefined ? { authorization: idp.adminKey } : {}) }, body: '{"loginId":"a@example.com"}' });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(await response.text(), '', `${method} ${path}: empty body`);
    }
  }
});
