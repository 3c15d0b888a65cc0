/**
 * `POST /api/user/registration` with `user` + `registration` is one transaction: when the registration's
 * insert fails after the user's (here a real constraint: a registration id that is already taken), no
 * user is left behind, and the client's corrected retry creates both. On SQLite and PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, startIdpOn } from '../engines.js';

for (const engine of ENGINES) {
  test(`${engine}: a registration that fails after the user insert leaves no user`, async (t) => {
    const idp = await startIdpOn(t, engine);
    if (idp === undefined) return;
    try {
      const app = (await idp.api('POST', '/api/application', { application: { name: 'Atomic', roles: [{ name: 'viewer' }] } })).body.application;
      const first = await idp.api('POST', '/api/user/registration', { user: { email: 'first@example.com', password: 'password123' }, registration: { applicationId: app.id } });
      assert.equal(first.status, 200, first.text);
      const takenId = first.body.registration.id as string;

      const clash = await idp.api('POST', '/api/user/registration', { user: { email: 'second@example.com', password: 'password123' }, registration: { applicationId: app.id, id: takenId } });
      assert.equal(clash.status, 400, clash.text);
      assert.equal(clash.body.fieldErrors['registration.id'][0].code, '[duplicate]registration.id');
      assert.equal((await idp.api('GET', '/api/user?email=second@example.com')).status, 404, 'the user of the failed call was not kept');

      const retry = await idp.api('POST', '/api/user/registration', { user: { email: 'second@example.com', password: 'password123' }, registration: { applicationId: app.id } });
      assert.equal(retry.status, 200, `the retry succeeds: ${retry.text}`);
      assert.equal(retry.body.user.registrations.length, 1);
    } finally {
      await idp.close();
    }
  });
}
