/** A fresh identity provider without a kickstart has no administrator: the sign-in page says how to make one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp } from '../support.js';
import { ADMIN_APPLICATION_ID } from '../../../src/idp/admin/index.js';
import { signIn } from './support.js';

test('no administrator yet: sign-in explains, nothing is created by trying', async (t) => {
  const idp = await startTestIdp({ passwordHashing: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
  t.after(() => idp.close());
  const { response } = await signIn(idp.url, { loginId: 'admin@example.com', password: 'whatever-123' });
  assert.equal(response.status, 403);
  assert.match(await response.text(), /No administrator exists yet/);
  assert.equal((await idp.api('GET', `/api/application/${ADMIN_APPLICATION_ID}`)).status, 404);
  // the API path of docs/idp.md makes one
  assert.equal((await idp.api('POST', `/api/application/${ADMIN_APPLICATION_ID}`, { application: { name: 'Gatehouse admin console', roles: [{ name: 'admin' }] } })).status, 200);
  assert.equal(
    (await idp.api('POST', '/api/user/registration', { user: { email: 'admin@example.com', password: 'whatever-123' }, registration: { applicationId: ADMIN_APPLICATION_ID, roles: ['admin'] } })).status,
    200,
  );
  assert.equal((await signIn(idp.url, { loginId: 'admin@example.com', password: 'whatever-123' })).response.status, 303);
});
