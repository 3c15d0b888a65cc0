/**
 * Two-factor test set-up: an identity provider on SQLite or PostgreSQL with a clock the test moves, codes
 * made with otplib from `secretBase32Encoded` exactly as an authenticator app makes them, and a dump of
 * what the database holds (to show what a stolen copy would reveal).
 */
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { generate } from 'otplib';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { postgresSchema, type Engine } from '../engines.js';
import { startTestIdp, type TestIdp } from '../support.js';
import { POSTGRES_URL } from '../../support/services.js';

export const TABLES = ['users', 'two_factor_logins', 'two_factor_trusts', 'refresh_tokens', 'settings'];

export interface Clock {
  ms: number;
  /** Moves to the next 30-second TOTP step (a fresh code; the previous one is spent). */
  nextStep(): void;
}

export function clock(): Clock {
  return {
    ms: Date.now(),
    nextStep() {
      this.ms += 30_000;
    },
  };
}

export interface TwoFactorIdp {
  idp: TestIdp;
  clock: Clock;
  client: FusionAuthClient;
  /** Every stored document of TABLES, as text. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

/** A test IdP on `engine` whose clock is `clock.ms`; undefined when the engine is unavailable (skipped). */
export async function startTwoFactorIdp(t: TestContext, engine: Engine): Promise<TwoFactorIdp | undefined> {
  const time = clock();
  const now = () => time.ms;
  if (engine === 'sqlite') {
    const idp = await startTestIdp({ now });
    const file = join(idp.dir, 'idp.sqlite');
    return {
      idp,
      clock: time,
      client: new FusionAuthClient(idp.adminKey, idp.url),
      async dump() {
        const db = new Database(file, { readonly: true });
        try {
          return TABLES.map((table) => (db.prepare(`SELECT * FROM ${table}`).all() as object[]).map((row) => JSON.stringify(row)).join('\n')).join('\n');
        } finally {
          db.close();
        }
      },
      close: () => idp.close(),
    };
  }
  const schema = await postgresSchema(t);
  if (schema === undefined) return undefined;
  const idp = await startTestIdp({ database: schema.database, now });
  const name = new URL(schema.database).searchParams.get('schema')!;
  return {
    idp,
    clock: time,
    client: new FusionAuthClient(idp.adminKey, idp.url),
    async dump() {
      const db = new pg.Client({ connectionString: POSTGRES_URL });
      await db.connect();
      try {
        const parts: string[] = [];
        for (const table of TABLES) parts.push(...(await db.query(`SELECT * FROM ${name}.${table}`)).rows.map((row) => JSON.stringify(row)));
        return parts.join('\n');
      } finally {
        await db.end();
      }
    },
    async close() {
      await idp.close();
      await schema.drop();
    },
  };
}

/** The code an authenticator app shows for `secretBase32` at `clock`. */
export function appCode(secretBase32: string, at: Clock): Promise<string> {
  return generate({ secret: secretBase32, epoch: Math.floor(at.ms / 1000) });
}

export interface EnrolledUser {
  id: string;
  email: string;
  password: string;
  secretBase32: string;
  recoveryCodes: string[];
}

/** A user (registered to `applicationId` when given) with an authenticator method enabled through the real client. */
export async function enrolledUser(fx: TwoFactorIdp, email: string, applicationId?: string): Promise<EnrolledUser> {
  const password = 'two factor password';
  const created = applicationId === undefined
    ? await fx.client.createUser(null as never, { user: { email, password } })
    : await fx.client.register(null as never, { user: { email, password }, registration: { applicationId } });
  const id = created.response.user!.id!;
  const secret = (await fx.client.generateTwoFactorSecret()).response;
  const enabled = await fx.client.enableTwoFactor(id, { method: 'authenticator', code: await appCode(secret.secretBase32Encoded!, fx.clock), secretBase32Encoded: secret.secretBase32Encoded! });
  fx.clock.nextStep();
  return { id, email, password, secretBase32: secret.secretBase32Encoded!, recoveryCodes: enabled.response.recoveryCodes! };
}

/** The status of a rejected client call (the client rejects non-2xx answers with a ClientResponse). */
export async function statusOf(call: Promise<{ statusCode: number }>): Promise<number> {
  return call.then(
    (r) => r.statusCode,
    (e: { statusCode: number }) => e.statusCode,
  );
}
