/**
 * API key authentication and the API Keys API: permissions.endpoints per method, 401 with an empty body,
 * key managers, tenant-locked keys, expiry, near-miss key values.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

async function createKey(apiKey: Record<string, unknown>, caller = idp.adminKey) {
  return idp.api('POST', '/api/api-key', { apiKey }, { authorization: caller });
}

test('missing, unknown and near-miss keys get 401 with an empty body', async () => {
  const key = idp.adminKey;
  for (const value of ['', 'nope', key.slice(0, -1), `${key}x`, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, `Bearer ${key}`]) {
    const response = await idp.api('GET', '/api/tenant', undefined, { authorization: value });
    assert.equal(response.status, 401, JSON.stringify(value.slice(0, 8)));
    assert.equal(response.text, '');
  }
  assert.equal((await idp.api('GET', '/api/tenant')).status, 200);
});

test('permissions.endpoints allows exactly the listed methods on the listed endpoints', async () => {
  const created = await createKey({ permissions: { endpoints: { '/api/user': ['GET'], '/api/user/registration': ['POST'] } } });
  assert.equal(created.status, 200);
  const key = created.body.apiKey.key as string;
  assert.equal(created.body.apiKey.keyManager, false);
  assert.equal((await idp.api('GET', '/api/user?email=none@example.com', undefined, { authorization: key })).status, 404, 'GET /api/user permitted');
  const denied = await idp.api('POST', '/api/user', { user: { email: 'x@example.com', password: 'password-x' } }, { authorization: key });
  assert.equal(denied.status, 401);
  assert.equal(denied.text, '');
  assert.equal((await idp.api('GET', '/api/tenant', undefined, { authorization: key })).status, 401);
  assert.equal((await idp.api('POST', '/api/user/registration', {}, { authorization: key })).status, 400, 'sub-route permitted separately');
  assert.equal((await idp.api('GET', '/api/api-key/' + created.body.apiKey.id, undefined, { authorization: key })).status, 401, 'not a key manager');
});

test('a key with a given value; duplicates and short values are rejected; keyManager cannot be set', async () => {
  const response = await createKey({ key: 'my-own-key-value-0123456789', keyManager: true, permissions: { endpoints: { '/api/login': ['POST'] } } });
  assert.equal(response.status, 200);
  assert.equal(response.body.apiKey.key, 'my-own-key-value-0123456789');
  assert.equal(response.body.apiKey.keyManager, false);
  assert.equal((await createKey({ key: 'my-own-key-value-0123456789' })).body.fieldErrors['apiKey.key'][0].code, '[duplicate]apiKey.key');
  assert.equal((await createKey({ key: 'short' })).body.fieldErrors['apiKey.key'][0].code, '[invalid]apiKey.key');
  assert.equal((await createKey({ permissions: { endpoints: { '/api/user': ['FETCH'] } } })).status, 400);
});

test('a non-retrievable key is shown once at creation and never again', async () => {
  const response = await createKey({ name: 'hidden', retrievable: false, permissions: { endpoints: { '/api/tenant': ['GET'] } } });
  const value = response.body.apiKey.key as string;
  assert.ok(value.length >= 32);
  const read = await idp.api('GET', `/api/api-key/${response.body.apiKey.id}`);
  assert.equal(read.body.apiKey.key, undefined);
  assert.equal((await idp.api('GET', '/api/tenant', undefined, { authorization: value })).status, 200);
  assert.equal((await createKey({ retrievable: false })).body.fieldErrors['apiKey.name'][0].code, '[blank]apiKey.name');
});

test('a tenant-locked key sees only its tenant; another tenant header is 401', async () => {
  const other = (await idp.api('POST', '/api/tenant', { tenant: { name: 'Other tenant' } })).body.tenant;
  const defaultTenant = (await idp.api('GET', '/api/tenant')).body.tenants.find((t: { name: string }) => t.name === 'Default');
  const locked = (await createKey({ tenantId: other.id })).body.apiKey.key as string;
  const user = (await idp.api('POST', '/api/user', { user: { email: 'tenant@example.com', password: 'password-t' } }, { 'x-fusionauth-tenantid': defaultTenant.id })).body.user;
  assert.equal((await idp.api('GET', `/api/user/${user.id}`, undefined, { authorization: locked })).status, 404);
  assert.equal((await idp.api('GET', '/api/tenant', undefined, { authorization: locked })).body.tenants.length, 1);
  assert.equal((await idp.api('GET', '/api/tenant', undefined, { authorization: locked, 'x-fusionauth-tenantid': defaultTenant.id })).status, 401);
  const created = await idp.api('POST', '/api/user', { user: { email: 'in-other@example.com', password: 'password-o' } }, { authorization: locked });
  assert.equal(created.body.user.tenantId, other.id);
});

test('an expired key is refused; a key manager can update and delete keys', async () => {
  const expired = (await createKey({ expirationInstant: Date.now() - 1000 })).body.apiKey.key as string;
  assert.equal((await idp.api('GET', '/api/tenant', undefined, { authorization: expired })).status, 401);
  const key = (await createKey({ name: 'to change', permissions: { endpoints: { '/api/tenant': ['GET'] } } })).body.apiKey;
  const updated = await idp.api('PUT', `/api/api-key/${key.id}`, { apiKey: { name: 'changed', permissions: { endpoints: { '/api/tenant': ['GET', 'POST'] } } } });
  assert.equal(updated.body.apiKey.name, 'changed');
  assert.equal(updated.body.apiKey.key, key.key, 'the value does not change');
  assert.equal((await idp.api('DELETE', `/api/api-key/${key.id}`)).status, 200);
  assert.equal((await idp.api('GET', '/api/tenant', undefined, { authorization: key.key })).status, 401);
});
