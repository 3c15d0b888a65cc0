/**
 * Application and tenant rules: generated client secrets, the client-authentication policy, roles managed
 * through the role API (and ignored by updates), soft delete and reactivation, tenant copy and deletion.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

test('client id = application id; a client secret is generated and kept by a PUT without one', async () => {
  const app = (await idp.api('POST', '/api/application', { application: { name: 'Secrets', oauthConfiguration: { requireClientAuthentication: false } } })).body.application;
  assert.equal(app.oauthConfiguration.clientId, app.id);
  assert.equal(Buffer.from(app.oauthConfiguration.clientSecret, 'base64').length, 32);
  assert.equal(app.oauthConfiguration.clientAuthenticationPolicy, 'NotRequired');
  const put = (await idp.api('PUT', `/api/application/${app.id}`, { application: { name: 'Secrets 2', oauthConfiguration: { clientAuthenticationPolicy: 'NotRequiredWhenUsingPKCE' } } })).body.application;
  assert.equal(put.oauthConfiguration.clientSecret, app.oauthConfiguration.clientSecret);
  assert.equal(put.oauthConfiguration.requireClientAuthentication, true);
  assert.equal(put.name, 'Secrets 2');
  const given = (await idp.api('POST', '/api/application', { application: { name: 'Given', oauthConfiguration: { clientSecret: 'my-secret' } } })).body.application;
  assert.equal(given.oauthConfiguration.clientSecret, 'my-secret');
  assert.equal((await idp.api('POST', '/api/application', { application: { name: 'Bad', jwtConfiguration: { enabled: true, accessTokenKeyId: '00000000-0000-4000-8000-000000000000' } } })).body.fieldErrors['application.jwtConfiguration.accessTokenKeyId'][0].code, '[invalid]application.jwtConfiguration.accessTokenKeyId');
});

test('roles: created with the application, managed through the role API, ignored by updates', async () => {
  const app = (await idp.api('POST', '/api/application', { application: { name: 'Roles', roles: [{ name: 'admin', isSuperRole: true }, { name: 'user', isDefault: true }] } })).body.application;
  assert.deepEqual(app.roles.map((r: { name: string }) => r.name), ['admin', 'user']);
  const role = (await idp.api('POST', `/api/application/${app.id}/role`, { role: { name: 'auditor', description: 'reads logs' } })).body.role;
  assert.equal(role.description, 'reads logs');
  assert.equal((await idp.api('POST', `/api/application/${app.id}/role`, { role: { name: 'auditor' } })).body.fieldErrors['role.name'][0].code, '[duplicate]role.name');
  const renamed = (await idp.api('PUT', `/api/application/${app.id}/role/${role.id}`, { role: { name: 'inspector' } })).body.role;
  assert.equal(renamed.id, role.id);
  const updated = (await idp.api('PATCH', `/api/application/${app.id}`, { application: { roles: [], data: { x: 1 } } })).body.application;
  assert.equal(updated.roles.length, 3, 'roles are ignored by updates');
  assert.deepEqual(updated.data, { x: 1 });
  assert.equal((await idp.api('DELETE', `/api/application/${app.id}/role?name=inspector`)).status, 200);
  assert.equal((await idp.api('GET', `/api/application/${app.id}`)).body.application.roles.length, 2);
  assert.equal((await idp.api('DELETE', `/api/application/${app.id}/role/${role.id}`)).status, 404);
});

test('soft delete deactivates; ?inactive=true lists it; reactivate; hardDelete removes', async () => {
  const app = (await idp.api('POST', '/api/application', { application: { name: 'Lifecycle' } })).body.application;
  assert.equal((await idp.api('DELETE', `/api/application/${app.id}`)).status, 200);
  assert.equal((await idp.api('GET', `/api/application/${app.id}`)).body.application.active, false);
  assert.ok(!(await idp.api('GET', '/api/application')).body.applications.some((a: { id: string }) => a.id === app.id));
  assert.ok((await idp.api('GET', '/api/application?inactive=true')).body.applications.some((a: { id: string }) => a.id === app.id));
  assert.equal((await idp.api('PUT', `/api/application/${app.id}?reactivate=true`)).body.application.active, true);
  assert.equal((await idp.api('DELETE', `/api/application/${app.id}?hardDelete=true`)).status, 200);
  assert.equal((await idp.api('GET', `/api/application/${app.id}`)).status, 404);
});

test('tenants: create with a given id, copy from a source, unique names, the default tenant cannot be deleted', async () => {
  const id = '11111111-2222-4333-8444-555555555555';
  const created = (await idp.api('POST', `/api/tenant/${id}`, { tenant: { name: 'Given id', issuer: 'https://given.example', jwtConfiguration: { timeToLiveInSeconds: 120 } } })).body.tenant;
  assert.equal(created.id, id);
  assert.equal(created.jwtConfiguration.timeToLiveInSeconds, 120);
  assert.equal(created.jwtConfiguration.refreshTokenTimeToLiveInMinutes, 43200, 'defaults fill the rest');
  const copy = (await idp.api('POST', '/api/tenant', { sourceTenantId: id, tenant: { name: 'Copy' } })).body.tenant;
  assert.equal(copy.issuer, 'https://given.example');
  assert.notEqual(copy.id, id);
  assert.equal((await idp.api('POST', '/api/tenant', { tenant: { name: 'Copy' } })).body.fieldErrors['tenant.name'][0].code, '[duplicate]tenant.name');
  assert.equal((await idp.api('POST', `/api/tenant/${id}`, { tenant: { name: 'Other' } })).body.fieldErrors['tenant.id'][0].code, '[duplicate]tenant.id');
  assert.equal((await idp.api('PATCH', `/api/tenant/${id}`, { tenant: { jwtConfiguration: { timeToLiveInSeconds: 'long' } } })).status, 400);
  const defaultTenant = (await idp.api('GET', '/api/tenant')).body.tenants.find((t: { name: string }) => t.name === 'Default');
  assert.equal((await idp.api('DELETE', `/api/tenant/${defaultTenant.id}`)).status, 400);
  assert.equal((await idp.api('DELETE', `/api/tenant/${copy.id}`)).status, 200);
  assert.equal((await idp.api('GET', `/api/tenant/${copy.id}`)).status, 404);
});
