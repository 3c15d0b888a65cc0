/**
 * One storage suite, run against SQLite and PostgreSQL. PostgreSQL runs in a schema of its own, created
 * and dropped by this run, so parallel runs do not collide; it is skipped loudly when PostgreSQL is not
 * running locally and fails in CI.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DuplicateError, Storage } from '../../../src/idp/storage/index.js';
import { tenantDefaults } from '../../../src/idp/model/defaults.js';
import type { RefreshToken, Tenant, User } from '../../../src/idp/model/types.js';
import { POSTGRES_URL, requireTcpService } from '../../support/services.js';
import { tempDir } from '../support.js';

interface Backend {
  name: string;
  /** The database string for Storage.open; undefined when the backend is unavailable (test skipped). */
  database(t: TestContext): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

const dir = tempDir();
const schema = `gatehouse_test_${process.pid}_${randomBytes(4).toString('hex')}`;
const pgUrl = new URL(POSTGRES_URL);

const backends: Backend[] = [
  {
    name: 'sqlite',
    database: () => Promise.resolve(join(dir, 'storage.sqlite')),
    cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  },
  {
    name: 'postgres',
    async database(t) {
      if (!(await requireTcpService(t, 'PostgreSQL', pgUrl.hostname, Number(pgUrl.port || 5432)))) return undefined;
      return `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
    },
    async cleanup() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      try {
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } catch {
        /* PostgreSQL was not there: nothing was created */
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  },
];

function tenant(name: string, now = 1_700_000_000_000): Tenant {
  return { id: randomUUID(), name, ...tenantDefaults(now, randomUUID()) } as Tenant;
}

function user(tenantId: string, email: string, username?: string): User {
  return { id: randomUUID(), tenantId, email, ...(username === undefined ? {} : { username }), active: true, verified: true, data: {}, passwordChangeRequired: false, insertInstant: Date.now(), lastUpdateInstant: Date.now() };
}

for (const backend of backends) {
  describe(`storage on ${backend.name}`, () => {
    after(() => backend.cleanup());

    async function open(t: TestContext): Promise<Storage | undefined> {
      const database = await backend.database(t);
      return database === undefined ? undefined : Storage.open(database);
    }

    test('migrations run once; data survives a reopen; instants stay numbers', async (t) => {
      const storage = await open(t);
      if (storage === undefined) return;
      const first = tenant('Reopen');
      await storage.tenants.insert(first);
      await storage.setSetting('marker', 'one');
      await storage.close();
      const again = (await open(t))!;
      try {
        const read = await again.tenants.get(first.id);
        assert.deepEqual(read, first);
        assert.equal(typeof read!.insertInstant, 'number');
        assert.equal(await again.getSetting('marker'), 'one');
        await again.setSetting('marker', 'two');
        assert.equal(await again.getSetting('marker'), 'two');
      } finally {
        await again.close();
      }
    });

    test('documents: insert, find by column, update, count, delete', async (t) => {
      const storage = await open(t);
      if (storage === undefined) return;
      try {
        const a = tenant(`A-${randomUUID()}`);
        await storage.tenants.insert(a);
        assert.equal((await storage.tenants.findOne({ name: a.name }))?.id, a.id);
        const u = user(a.id, 'x@example.com', 'Xavier');
        await storage.users.insert(u);
        assert.equal((await storage.users.findOne({ tenant_id: a.id, username: 'xavier' }))?.id, u.id);
        assert.equal(await storage.users.count({ tenant_id: a.id }), 1);
        assert.equal(await storage.users.update({ ...u, firstName: 'X' }), true);
        assert.equal((await storage.users.get(u.id))?.firstName, 'X');
        assert.equal(await storage.users.update({ ...u, id: randomUUID() }), false);
        const current = (await storage.users.get(u.id))!;
        assert.equal(await storage.users.updateIfUnchanged(u, { ...u, lastLoginInstant: 1 }), false, 'the stored document changed since u');
        assert.equal(await storage.users.updateIfUnchanged(current, { ...current, lastLoginInstant: 2 }), true);
        assert.equal((await storage.users.get(u.id))?.lastLoginInstant, 2);
        assert.equal(await storage.users.delete(u.id), true);
        assert.equal(await storage.users.get(u.id), undefined);
      } finally {
        await storage.close();
      }
    });

    test('unique columns raise DuplicateError; the same email in two tenants is allowed', async (t) => {
      const storage = await open(t);
      if (storage === undefined) return;
      try {
        const a = tenant(`Dup-${randomUUID()}`);
        const b = tenant(`Dup-${randomUUID()}`);
        await storage.tenants.insert(a);
        await storage.tenants.insert(b);
        await assert.rejects(storage.tenants.insert({ ...tenant(a.name) }), DuplicateError);
        await storage.users.insert(user(a.id, 'same@example.com'));
        await storage.users.insert(user(b.id, 'same@example.com'));
        await assert.rejects(storage.users.insert(user(a.id, 'same@example.com')), DuplicateError);
        await storage.users.insert(user(a.id, 'other1@example.com', 'Name'));
        await assert.rejects(storage.users.insert(user(a.id, 'other2@example.com', 'NAME')), DuplicateError);
      } finally {
        await storage.close();
      }
    });

    test('failed-login counting is atomic, windowed and cleared', async (t) => {
      const storage = await open(t);
      if (storage === undefined) return;
      try {
        const a = tenant(`Lock-${randomUUID()}`);
        await storage.tenants.insert(a);
        const u = user(a.id, 'lock@example.com');
        await storage.users.insert(u);
        const counts = await Promise.all([1, 2, 3].map(() => storage.recordLoginFailure(u.id, 1_000_000, 60_000)));
        assert.deepEqual([...counts].sort(), [1, 2, 3]);
        assert.equal(await storage.recordLoginFailure(u.id, 1_000_000 + 61_000, 60_000), 1, 'a failure after the window restarts the count');
        await storage.lockUser(u.id, 5_000_000);
        assert.deepEqual(await storage.lockState(u.id), { failedCount: 0, lockedUntil: 5_000_000 });
        await storage.clearLoginFailures(u.id);
        assert.deepEqual(await storage.lockState(u.id), { failedCount: 0, lockedUntil: 0 });
      } finally {
        await storage.close();
      }
    });

    test('a refresh token is replaced only while its hash is unchanged; cascades remove dependents', async (t) => {
      const storage = await open(t);
      if (storage === undefined) return;
      try {
        const a = tenant(`Refresh-${randomUUID()}`);
        await storage.tenants.insert(a);
        const u = user(a.id, 'r@example.com');
        await storage.users.insert(u);
        const token: RefreshToken = {
          id: randomUUID(), tokenHash: 'h1', tenantId: a.id, userId: u.id, applicationId: randomUUID(),
          insertInstant: 1, startInstant: 1, lastUsedInstant: 1, authTime: 1, authenticationType: 'PASSWORD', grants: [], metaData: {},
        };
        await storage.refreshTokens.insert(token);
        assert.equal(await storage.replaceRefreshToken({ ...token, tokenHash: 'h2' }, 'h1'), true);
        assert.equal(await storage.replaceRefreshToken({ ...token, tokenHash: 'h3' }, 'h1'), false);
        assert.equal((await storage.refreshTokens.findOne({ token_hash: 'h2' }))?.id, token.id);
        await storage.deleteTenantCascade(a.id);
        assert.equal(await storage.refreshTokens.get(token.id), undefined);
        assert.equal(await storage.users.get(u.id), undefined);
        assert.equal(await storage.tenants.get(a.id), undefined);
      } finally {
        await storage.close();
      }
    });
  });
}
