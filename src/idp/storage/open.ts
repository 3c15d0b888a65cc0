/**
 * Opens the database named by `database`: a `postgres://` (or `postgresql://`) URL selects PostgreSQL,
 * anything else is an SQLite file path. The migrations run before the storage is handed out.
 *
 * SQLite runs in WAL mode with `synchronous=FULL`: a commit is fsynced before it is acknowledged, so an
 * acknowledged write survives SIGKILL of the process and also a power cut (test/idp/storage/durability.test.ts).
 * A PostgreSQL URL may carry `?schema=NAME`: the schema is created if missing and used as search_path,
 * which is how parallel test runs keep apart.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { migrationProvider } from './migrations.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<any>;
  dialect: Dialect;
  /** PostgreSQL: the schema holding the tables (kysely's migration tables are qualified with it). */
  schema?: string;
  /** PostgreSQL: the connection URL without `schema` (for the change feed's listening connection). */
  url?: string;
}

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

function openSqlite(path: string): OpenedDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
  } catch (error) {
    throw new GatehouseError(ErrorCode.IDP_STORAGE, `cannot open the SQLite database ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { db: new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) }), dialect: 'sqlite' };
}

const INT8_OID = 20;

async function openPostgres(url: string): Promise<OpenedDatabase> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GatehouseError(ErrorCode.IDP_DATABASE_URL, 'the PostgreSQL URL is not a valid URL');
  }
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new GatehouseError(ErrorCode.IDP_DATABASE_URL, `the schema "${schema}" must be lower-case letters, digits and _`);
  }
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    types,
    max: 10,
    ...(schema === null ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on('error', () => {
    /* an idle client lost its connection; the next query reconnects */
  });
  try {
    const client = await pool.connect();
    try {
      if (schema !== null) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    const where = `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
    throw new GatehouseError(ErrorCode.IDP_STORAGE, `cannot connect to PostgreSQL at ${where}: ${(error as Error).message}`, { cause: error });
  }
  return { db: new Kysely<any>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', schema: schema ?? 'public', url: parsed.toString() };
}

export async function openDatabase(database: string): Promise<OpenedDatabase> {
  const opened = isPostgresUrl(database) ? await openPostgres(database) : openSqlite(database);
  // Qualify the migration tables: kysely looks for them across all schemas, and another schema's
  // kysely_migration (a parallel test run) must not count as ours.
  const migrator = new Migrator({ db: opened.db, provider: migrationProvider, ...(opened.schema === undefined ? {} : { migrationTableSchema: opened.schema }) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    await opened.db.destroy().catch(() => undefined);
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new GatehouseError(ErrorCode.IDP_MIGRATION, `database migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  return opened;
}
