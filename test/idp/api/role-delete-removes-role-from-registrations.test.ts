/**
 * Deleting an application role takes it from every registration holding it (FusionAuth's
 * `deleteApplicationRole`: "removes it from every user holding it"), so new tokens lack it; re-creating a
 * role of the same name does not re-grant it; PATCH of those registrations still works; a rename follows
 * to the registrations. On SQLite and PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from '../support.js';
import { ENGINES, startIdpOn } from '../engines.js';

for (const engine of ENGINES) {
  test(`${engine}: a deleted role leaves every registration and every new token`, async (t) => {
    const idp = await startIdpOn(t, engine);
    if (idp === undefined) return;
    try {
      const app = (await idp.api('POST', '/api/application', { application: { name: 'Shop', roles: [{ name: 'admin' }, { name: 'viewer' }, { name: 'auditor' }] } })).body.application;
      const adminRole = app.roles.find((r: { name: string }) => r.name === 'admin');
      const auditor = app.roles.find((r: { name: string }) => r.name === 'auditor');
      const users: string[] = [];
      for (const email of ['ann@example.com', 'bob@example.com']) {
        const created = await idp.api('POST', '/api/user/registration', { user: { email, password: 'password123' }, registration: { applicationId: app.id, roles: ['admin', 'viewer', 'auditor'] } });
        assert.equal(created.status, 200, created.text);
        users.push(created.body.user.id);
      }
      const login = async (loginId: string) => {
        const response = await idp.api('POST', '/api/login', { loginId, password: 'password123', applicationId: app.id });
        assert.equal(response.status, 200, response.text);
        return decodeJwt(response.body.token).payload.roles as string[];
      };
      assert.deepEqual(await login('ann@example.com'), ['admin', 'viewer', 'auditor']);

      assert.equal((await idp.api('DELETE', `/api/application/${app.id}/role/${adminRole.id}`)).status, 200);
      assert.equal((await idp.api('DELETE', `/api/application/${app.id}/role?name=auditor`)).status, 200);
      for (const userId of users) {
        const registration: { roles: string[] } = (await idp.api('GET', `/api/user/registration/${userId}/${app.id}`)).body.registration;
        assert.deepEqual(registration.roles, ['viewer'], 'the deleted roles are gone from the registration');
      }
      assert.deepEqual(await login('ann@example.com'), ['viewer'], 'a new token lacks the deleted roles');

      const patched = await idp.api('PATCH', `/api/user/registration/${users[0]}/${app.id}`, { registration: { data: { note: 'after delete' } } });
      assert.equal(patched.status, 200, `PATCH of a registration that held a deleted role works: ${patched.text}`);
      assert.deepEqual(patched.body.registration.roles, ['viewer']);

      const again = await idp.api('POST', `/api/application/${app.id}/role`, { role: { name: 'admin' } });
      assert.equal(again.status, 200);
      assert.notEqual(again.body.role.id, adminRole.id);
      assert.deepEqual(await login('bob@example.com'), ['viewer'], 're-creating a role of the same name grants it to nobody');
      assert.deepEqual((await idp.api('GET', `/api/user/registration/${users[1]}/${app.id}`)).body.registration.roles, ['viewer']);

      const viewer = app.roles.find((r: { name: string }) => r.name === 'viewer');
      assert.equal((await idp.api('PUT', `/api/application/${app.id}/role/${viewer.id}`, { role: { name: 'reader' } })).status, 200);
      assert.deepEqual(await login('bob@example.com'), ['reader'], 'a renamed role follows to the registrations');
      assert.equal(auditor.name, 'auditor');
    } finally {
      await idp.close();
    }
  });
}
