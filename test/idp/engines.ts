/**
 * Runs an identity provider test on both storage engines: SQLite (a fresh file) and PostgreSQL (a schema
 * of its own, dropped afterwards). PostgreSQL missing skips loudly, and fails in CI (test/support/services.ts).
 */
import type { TestContext } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { IdpOptions } from '../../src/idp/index.js';
import { POSTGRES_URL, requireTcpService } from '../support/services.js';
import { startTestIdp, type TestIdp } from './support.js';

export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

/** A fresh PostgreSQL database URL in a new schema, and how to drop it; undefined when PostgreSQL is missing. */
export async function postgresSchema(t: TestContext, prefix = 'gatehouse_idp'): Promise<{ database: string; drop(): Promise<void> } | undefined> {
  const url = new URL(POSTGRES_URL);
  if (!(await requireTcpService(t, 'PostgreSQL', url.hostname, Number(url.port || 5432)))) return undefined;
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    database: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A test IdP on `engine`; undefined when the engine is unavailable (the test was skipped). */
export async function startIdpOn(t: TestContext, engine: Engine, options: Partial<IdpOptions> = {}): Promise<TestIdp | undefined> {
  if (engine === 'sqlite') return startTestIdp(options);
  const pgDb = await postgresSchema(t);
  if (pgDb === undefined) return undefined;
  const idp = await startTestIdp({ database: pgDb.database, ...options });
  return {
    ...idp,
    async close() {
      await idp.close();
      await pgDb.drop();
    },
  };
}
