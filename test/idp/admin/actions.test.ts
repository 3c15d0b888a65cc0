/**
 * Each console action changes what the JSON API sees (the console drives the same code): applications
 * (edit redirect URLs, grants, JWT, roles; deactivate, reactivate, delete), Key Master (generate, import,
 * delete), API keys (grid → permissions, tenant scope, refusals shown on the form), users (validation
 * shown on the form, lock/unlock against real logins, registration with roles), tenants (bad TTL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { adminSession, startConsoleIdp } from './support.js';

test('console actions', async (t) => {
  const idp = await startConsoleIdp();
  t.after(() => idp.close());
  const s = await adminSession(idp.url);
  const csrf = s.csrf;
  const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;

  const created = await s.post('/admin/applications', { _csrf: csrf, tenantId, name: 'Shop', jwtEnabled: 'on', accessTokenKeyId: '', idTokenKeyId: '', ttl: '600', roles: 'user\nadmin', redirectUrls: '', grants: [] });
  assert.equal(created.status, 303);
  const appId = /\/admin\/applications\/([0-9a-f-]{36})$/.exec(created.headers.get('location')!)![1]!;
  let app = (await idp.api('GET', `/api/application/${appId}`)).body.application;

  await t.test('create: JWT enabled generates both keys, roles and TTL are kept', () => {
    assert.equal(app.jwtConfiguration.enabled, true);
    assert.equal(app.jwtConfiguration.timeToLiveInSeconds, 600);
    assert.ok(app.jwtConfiguration.accessTokenKeyId && app.jwtConfiguration.idTokenKeyId);
    assert.notEqual(app.jwtConfiguration.accessTokenKeyId, app.jwtConfiguration.idTokenKeyId);
    assert.deepEqual(app.roles.map((r: { name: string }) => r.name).sort(), ['admin', 'user']);
  });

  await t.test('edit: redirect URLs, grants, keys kept unless regenerated', async () => {
    const keyId = app.jwtConfiguration.accessTokenKeyId;
    const edited = await s.post(`/admin/applications/${appId}`, {
      _csrf: csrf, name: 'Shop 2', redirectUrls: 'https://shop.example/cb\n\nhttps://shop.example/cb2', grants: ['authorization_code', 'refresh_token'],
      jwtEnabled: 'on', accessTokenKeyId: keyId, idTokenKeyId: app.jwtConfiguration.idTokenKeyId, ttl: '900',
    });
    assert.equal(edited.status, 303);
    app = (await idp.api('GET', `/api/application/${appId}`)).body.application;
    assert.equal(app.name, 'Shop 2');
    assert.deepEqual(app.oauthConfiguration.authorizedRedirectURLs, ['https://shop.example/cb', 'https://shop.example/cb2']);
    assert.deepEqual(app.oauthConfiguration.enabledGrants, ['authorization_code', 'refresh_token']);
    assert.equal(app.jwtConfiguration.accessTokenKeyId, keyId);
    assert.equal(app.jwtConfiguration.timeToLiveInSeconds, 900);
    // a grant set through the API that the form does not list is shown (checked), so saving the form keeps it
    await idp.api('PATCH', `/api/application/${appId}`, { application: { oauthConfiguration: { enabledGrants: ['authorization_code', 'implicit'] } } });
    assert.match(await (await s.get(`/admin/applications/${appId}/edit`)).text(), /name="grants" value="implicit" checked/);
    const regenerated = await s.post(`/admin/applications/${appId}`, { _csrf: csrf, name: 'Shop 2', jwtEnabled: 'on', accessTokenKeyId: '', idTokenKeyId: app.jwtConfiguration.idTokenKeyId, ttl: '900' });
    assert.equal(regenerated.status, 303);
    const after = (await idp.api('GET', `/api/application/${appId}`)).body.application;
    assert.notEqual(after.jwtConfiguration.accessTokenKeyId, keyId);
    const bad = await s.post(`/admin/applications/${appId}`, { _csrf: csrf, name: 'Shop 2', jwtEnabled: 'on', ttl: 'soon' });
    assert.equal(bad.status, 400);
    const text = await bad.text();
    assert.match(text, /<li><a href="#app-ttl">JWT duration \(seconds\) must be a whole number/, 'in the summary, in the form\u2019s words, linked to the field');
    assert.doesNotMatch(text.slice(text.indexOf('class="errors"'), text.indexOf('</div>', text.indexOf('class="errors"'))), /\[|timeToLiveInSeconds/, 'no API path in the summary');
    assert.match(text, /<p class="error" id="app-ttl-error">JWT duration \(seconds\) must be a whole number/, 'next to the field, in words');
  });

  await t.test('roles: add, duplicate refused on the form, remove', async () => {
    assert.equal((await s.post(`/admin/applications/${appId}/roles`, { _csrf: csrf, name: 'viewer', description: 'reads', isDefault: 'on' })).status, 303);
    app = (await idp.api('GET', `/api/application/${appId}`)).body.application;
    const viewer = app.roles.find((r: { name: string }) => r.name === 'viewer');
    assert.equal(viewer.isDefault, true);
    const dup = await s.post(`/admin/applications/${appId}/roles`, { _csrf: csrf, name: 'viewer' });
    assert.equal(dup.status, 400);
    assert.match(await dup.text(), /already exists/);
    assert.equal((await s.post(`/admin/applications/${appId}/roles/${viewer.id}/delete`, { _csrf: csrf })).status, 303);
    app = (await idp.api('GET', `/api/application/${appId}`)).body.application;
    assert.ok(!app.roles.some((r: { name: string }) => r.name === 'viewer'));
  });

  await t.test('users: form errors, add, register with roles, lock and unlock against real logins', async () => {
    const short = await s.post('/admin/users', { _csrf: csrf, tenantId, email: 'carol@example.com', password: 'short' });
    assert.equal(short.status, 400);
    assert.match(await short.text(), /shorter than the minimum/);
    const added = await s.post('/admin/users', { _csrf: csrf, tenantId, email: 'carol@example.com', password: 'carol-password-1', firstName: 'Carol' });
    assert.equal(added.status, 303);
    const userId = /([0-9a-f-]{36})$/.exec(added.headers.get('location')!)![1]!;
    const registered = await s.post(`/admin/users/${userId}/registrations`, { _csrf: csrf, applicationId: appId, [`roles:${appId}`]: ['admin'] });
    assert.equal(registered.status, 303);
    const reg = (await idp.api('GET', `/api/user/registration/${userId}/${appId}`)).body.registration;
    assert.deepEqual(reg.roles, ['admin']);
    const login = () => idp.api('POST', '/api/login', { loginId: 'carol@example.com', password: 'carol-password-1', applicationId: appId });
    assert.equal((await login()).status, 200);
    assert.equal((await s.post(`/admin/users/${userId}/lock`, { _csrf: csrf })).status, 303);
    assert.equal((await login()).status, 423);
    assert.match(await (await s.get(`/admin/users/${userId}`)).text(), /Unlock account/);
    assert.equal((await s.post(`/admin/users/${userId}/unlock`, { _csrf: csrf })).status, 303);
    assert.equal((await login()).status, 200);
    const self = (await idp.api('GET', '/api/user?email=admin@example.com')).body.user.id;
    await s.post(`/admin/users/${self}/lock`, { _csrf: csrf });
    assert.equal((await idp.api('GET', `/api/user/${self}`)).body.user.active, true, 'an admin cannot lock themself');
    assert.equal((await s.post(`/admin/users/${userId}/registrations/${appId}/delete`, { _csrf: csrf })).status, 303);
    assert.equal((await login()).status, 202);
  });

  await t.test('deactivate, reactivate, delete', async () => {
    await s.post(`/admin/applications/${appId}/deactivate`, { _csrf: csrf });
    assert.equal((await idp.api('GET', `/api/application/${appId}`)).body.application.active, false);
    await s.post(`/admin/applications/${appId}/reactivate`, { _csrf: csrf });
    assert.equal((await idp.api('GET', `/api/application/${appId}`)).body.application.active, true);
    assert.equal((await s.post(`/admin/applications/${appId}/delete`, { _csrf: csrf })).status, 303);
    assert.equal((await idp.api('GET', `/api/application/${appId}`)).status, 404);
  });

  await t.test('Key Master: generate, import, refuse, delete', async () => {
    const generated = await s.post('/admin/keys/generate', { _csrf: csrf, name: 'EC key', algorithm: 'ES256', length: '2048', issuer: '' });
    assert.equal(generated.status, 303);
    const keyId = /([0-9a-f-]{36})$/.exec(generated.headers.get('location')!)![1]!;
    assert.equal((await idp.api('GET', `/api/key/${keyId}`)).body.key.algorithm, 'ES256');
    const view = await (await s.get(`/admin/keys/${keyId}`)).text();
    assert.match(view, /-----BEGIN PUBLIC KEY-----/);
    assert.doesNotMatch(view, /PRIVATE KEY/);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const imported = await s.post('/admin/keys/import', { _csrf: csrf, name: 'Partner key', publicKey: pem });
    assert.equal(imported.status, 303);
    const importedId = /([0-9a-f-]{36})$/.exec(imported.headers.get('location')!)![1]!;
    assert.equal((await idp.api('GET', `/api/key/${importedId}`)).body.key.kid.length, 43);
    const garbage = await s.post('/admin/keys/import', { _csrf: csrf, name: 'Bad', publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----', privateKey: 'secret-ish' });
    assert.equal(garbage.status, 400);
    assert.doesNotMatch(await garbage.text(), /secret-ish/, 'the private key is not echoed back');
    assert.equal((await s.post(`/admin/keys/${keyId}/delete`, { _csrf: csrf })).status, 303);
    assert.equal((await idp.api('GET', `/api/key/${keyId}`)).status, 404);
  });

  await t.test('API keys: the grid becomes permissions, tenant scope, hidden until revealed', async () => {
    const tooShort = await s.post('/admin/api-keys', { _csrf: csrf, key: 'short', permissions: ['POST /api/login'] });
    assert.equal(tooShort.status, 400);
    assert.match(await tooShort.text(), /at least 16 characters/);
    const ok = await s.post('/admin/api-keys', { _csrf: csrf, key: '', name: 'reader', tenantId, permissions: ['GET /api/user', 'POST /api/login', 'GET /api/login', 'DELETE /api/nope'] });
    assert.equal(ok.status, 303);
    const list = await (await s.get('/admin/api-keys')).text();
    assert.match(list, /Reveal the key reader/);
    const id = /action="\/admin\/api-keys\/([0-9a-f-]{36})\/reveal"[^>]*>[\s\S]{0,200}?aria-label="Reveal the key reader"/.exec(list)?.[1];
    assert.ok(id);
    const key = (await idp.api('GET', `/api/api-key/${id}`)).body.apiKey;
    assert.deepEqual(key.permissions.endpoints, { '/api/user': ['GET'], '/api/login': ['POST', 'GET'] });
    assert.equal(key.tenantId, tenantId);
    assert.ok(!list.includes(key.key), 'the value is not in the list page');
    const revealed = await (await s.post(`/admin/api-keys/${id}/reveal`, { _csrf: csrf })).text();
    assert.ok(revealed.includes(key.key));
    assert.ok(!idp.logLines.some((l) => l.includes(key.key)), 'no key value in the log');
  });

  await t.test('tenant: a bad TTL is shown on the form and nothing changes', async () => {
    const bad = await s.post(`/admin/tenants/${tenantId}`, { _csrf: csrf, name: 'Default', issuer: 'https://x.example', ttl: '-5' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /aria-invalid="true"/);
    assert.notEqual((await idp.api('GET', `/api/tenant/${tenantId}`)).body.tenant.issuer, 'https://x.example');
  });
});
