/**
 * The JWKS is answered from bytes serialised once per key change (before the router), and the discovery
 * document once per key or tenant change: the cached answers must never be stale after a write — a new
 * key is served by the next read, a changed issuer by the next discovery read — and HEAD or a query
 * string still go through the router.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

const jwks = async () => {
  const response = await fetch(`${idp.url}/.well-known/jwks.json`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const text = await response.text();
  assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(text));
  return JSON.parse(text) as { keys: { kid: string }[] };
};

test('a new or deleted key is in the very next JWKS answer', async () => {
  const before = await jwks();
  await jwks(); // served from the cached bytes now
  const generated = (await idp.api('POST', '/api/key/generate', { key: { algorithm: 'ES256', name: 'fresh' } })).body.key;
  assert.ok((await jwks()).keys.some((k) => k.kid === generated.kid), 'the new key at once');
  assert.equal((await jwks()).keys.length, before.keys.length + 1);
  assert.equal((await idp.api('DELETE', `/api/key/${generated.id}`)).status, 200);
  assert.ok(!(await jwks()).keys.some((k) => k.kid === generated.kid), 'a deleted key is gone at once');
  assert.equal((await fetch(`${idp.url}/.well-known/jwks.json?x=1`)).status, 200, 'a query string goes through the router');
  assert.equal((await fetch(`${idp.url}/.well-known/jwks.json`, { method: 'HEAD' })).status, 200);
});

test('the discovery document follows an issuer change at once', async () => {
  const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
  const read = async () => ((await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json()) as { issuer: string }).issuer;
  await read();
  assert.equal(await read(), idp.url);
  assert.equal((await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { issuer: 'https://changed.example' } })).status, 200);
  assert.equal(await read(), 'https://changed.example');
  assert.equal(((await (await fetch(`${idp.url}/${tenantId}/.well-known/openid-configuration`)).json()) as { issuer: string }).issuer, 'https://changed.example');
  assert.equal((await fetch(`${idp.url}/not-a-uuid/.well-known/openid-configuration`)).status, 404);
});
