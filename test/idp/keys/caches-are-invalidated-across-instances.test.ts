/**
 * Every per-process cache of the identity provider is dropped in every instance sharing the PostgreSQL
 * database when any instance writes. The caches are the key ring's (src/idp/services/keyring.ts): the
 * JWKS answer, the discovery documents, signers by key id and verifiers by kid; nothing else in src/idp
 * keeps database state in memory (admin sessions, codes, refresh tokens and lockouts are read from the
 * database on each request).
 *
 * Both instances run on one frozen clock, so the caches' 1 s time-to-live never expires on its own:
 * whatever instance B shows after a write on A reached it through the change feed (LISTEN/NOTIFY). The
 * waits below are bounds against a hang, not targets. Then a write nobody announces (straight SQL) is
 * shown as soon as the clock passes the 1 s time-to-live, and not before. Before: deleting a tenant
 * announced nothing, so its discovery document stayed in every instance's cache (the writer's too), and
 * the time-to-live ran on the wall clock, whatever clock the instance was given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestIdp, type TestIdp } from '../support.js';
import { postgresSchema } from '../engines.js';
import { POSTGRES_URL } from '../../support/services.js';
import { POSTGRES_CACHE_TTL_MS } from '../../../src/idp/services/keyring.js';

const KEY = 'cache-test-admin-key-0123456789abcdef';
const FAST_HASHING = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/** Polls `check` until it holds; the bound only keeps a broken feed from hanging the test. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `never seen: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a write on one instance drops the caches of the other (PostgreSQL LISTEN/NOTIFY); an unannounced write is seen after the 1 s TTL', async (t) => {
  const db = await postgresSchema(t, 'gatehouse_caches');
  if (db === undefined) return;
  let clock = Date.now();
  const now = () => clock;
  const idps: TestIdp[] = [];
  try {
    idps.push(await startTestIdp({ database: db.database, now, passwordHashing: FAST_HASHING, kickstart: { apiKeys: [{ key: KEY }] } }));
    idps.push(await startTestIdp({ database: db.database, now, passwordHashing: FAST_HASHING }));
    const [a, b] = idps as [TestIdp, TestIdp];
    const api = async (idp: TestIdp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => idp.api(method, path, body, { authorization: KEY, ...headers });
    const jwks = async (idp: TestIdp) => (await fetch(`${idp.url}/.well-known/jwks.json`)).text();

    await t.test('JWKS, signers and verifiers: a key generated and deleted on A', async () => {
      const before = await jwks(b); // B caches its JWKS
      const generated = await api(a, 'POST', '/api/key/generate', { key: { algorithm: 'RS256', name: 'cached key', length: 2048 } });
      assert.equal(generated.status, 200, generated.text);
      const { id, kid } = generated.body.key as { id: string; kid: string };
      assert.ok(!before.includes(kid));
      await eventually('B serves the key generated on A', async () => (await jwks(b)).includes(kid));

      const vended = await api(b, 'POST', '/api/jwt/vend', { keyId: id, claims: { sub: 'cache-test' } }); // B caches the signer
      assert.equal(vended.status, 200, vended.text);
      const token = vended.body.token as string;
      const validate = (idp: TestIdp) => fetch(`${idp.url}/api/jwt/validate`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await validate(b)).status, 200, 'B verifies the token (and caches the verifier)');

      assert.equal((await api(a, 'DELETE', `/api/key/${id}`)).status, 200);
      await eventually('B no longer serves the key deleted on A', async () => !(await jwks(b)).includes(kid));
      assert.equal((await validate(b)).status, 401, 'B no longer verifies with the deleted key');
      const refused = await api(b, 'POST', '/api/jwt/vend', { keyId: id });
      assert.equal(refused.status, 400, 'B no longer signs with the deleted key');
    });

    await t.test('discovery documents: a tenant patched and deleted on A', async () => {
      const created = await api(a, 'POST', '/api/tenant', { tenant: { name: 'Cached tenant', issuer: 'https://before.example' } });
      assert.equal(created.status, 200, created.text);
      const tenantId = created.body.tenant.id as string;
      const discovery = (idp: TestIdp) => fetch(`${idp.url}/${tenantId}/.well-known/openid-configuration`);
      const issuerOn = async (idp: TestIdp) => {
        const response = await discovery(idp);
        return response.status === 200 ? ((await response.json()) as { issuer: string }).issuer : `HTTP ${response.status}`;
      };
      assert.equal(await issuerOn(b), 'https://before.example'); // B caches the document
      assert.equal((await api(a, 'PATCH', `/api/tenant/${tenantId}`, { tenant: { issuer: 'https://after.example' } })).status, 200);
      await eventually('B serves the issuer patched on A', async () => (await issuerOn(b)) === 'https://after.example');

      assert.equal(await issuerOn(a), 'https://after.example'); // both cache it again
      assert.equal((await api(a, 'DELETE', `/api/tenant/${tenantId}`)).status, 200);
      assert.equal(await issuerOn(a), 'HTTP 404', 'the writer drops its own cached document');
      await eventually('B no longer serves the tenant deleted on A', async () => (await issuerOn(b)) === 'HTTP 404');
    });

    await t.test('a write nobody announces is served until the clock passes the 1 s TTL, then not', async () => {
      const tenant = (await api(a, 'GET', '/api/tenant')).body.tenants[0] as { id: string; issuer: string };
      const issuerOn = async (idp: TestIdp) => ((await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json()) as { issuer: string }).issuer;
      clock += POSTGRES_CACHE_TTL_MS + 1; // a fresh cache period on both
      assert.equal(await issuerOn(a), tenant.issuer);
      assert.equal(await issuerOn(b), tenant.issuer);
      const schema = new URL(db.database).searchParams.get('schema')!;
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const stored = JSON.parse((await client.query(`SELECT body FROM "${schema}".tenants WHERE id = $1`, [tenant.id])).rows[0].body as string) as object;
        await client.query(`UPDATE "${schema}".tenants SET body = $1 WHERE id = $2`, [JSON.stringify({ ...stored, issuer: 'https://unannounced.example' }), tenant.id]);
      } finally {
        await client.end();
      }
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await issuerOn(b), tenant.issuer, 'the clock has not moved: B still serves its cached document');
      clock += POSTGRES_CACHE_TTL_MS;
      assert.equal(await issuerOn(b), tenant.issuer, 'not yet past the TTL');
      clock += 1;
      assert.equal(await issuerOn(b), 'https://unannounced.example', 'past the TTL: read again');
      assert.equal(await issuerOn(a), 'https://unannounced.example');
    });
  } finally {
    for (const idp of idps.reverse()) await idp.close();
    await db.drop();
  }
});
