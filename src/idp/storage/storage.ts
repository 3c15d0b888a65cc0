/**
 * The identity provider's storage: a small async interface over one kysely database, SQLite or PostgreSQL.
 * Everything the HTTP layer persists goes through here; test/idp/storage/storage.test.ts runs one suite
 * against both databases.
 */
import { sql, type Kysely } from 'kysely';
import type { ApiKey, Application, AuthorizationCode, Key, RefreshToken, Registration, SsoSession, StoredAdminSession, Tenant, Theme, TwoFactorLogin, TwoFactorTrust, User, UserCode } from '../model/types.js';
import { DocumentTable } from './table.js';
import { openDatabase, type Dialect } from './open.js';
import { ChangeFeed } from './change-feed.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

const lower = (value: string | undefined): string | null => (value === undefined ? null : value.toLowerCase());

export interface LockState {
  failedCount: number;
  lockedUntil: number;
}

export class Storage {
  readonly tenants: DocumentTable<Tenant>;
  readonly applications: DocumentTable<Application>;
  readonly keys: DocumentTable<Key>;
  readonly apiKeys: DocumentTable<ApiKey>;
  readonly users: DocumentTable<User>;
  readonly registrations: DocumentTable<Registration>;
  readonly refreshTokens: DocumentTable<RefreshToken>;
  readonly authorizationCodes: DocumentTable<AuthorizationCode>;
  readonly adminSessions: DocumentTable<StoredAdminSession>;
  readonly ssoSessions: DocumentTable<SsoSession>;
  readonly twoFactorLogins: DocumentTable<TwoFactorLogin>;
  readonly twoFactorTrusts: DocumentTable<TwoFactorTrust>;
  readonly userCodes: DocumentTable<UserCode>;
  readonly themes: DocumentTable<Theme>;

  private constructor(
    private readonly db: Kysely<any>,
    readonly dialect: Dialect,
    /** Change notifications between processes sharing the database (change-feed.ts). */
    readonly feed: ChangeFeed,
  ) {
    this.tenants = new DocumentTable(db, { name: 'tenants', columns: { name: (t) => t.name, insert_instant: (t) => t.insertInstant } });
    this.applications = new DocumentTable(db, {
      name: 'applications',
      columns: { tenant_id: (a) => a.tenantId, name: (a) => a.name, insert_instant: (a) => a.insertInstant },
    });
    this.keys = new DocumentTable(db, { name: 'keys', columns: { name: (k) => k.name, kid: (k) => k.kid, insert_instant: (k) => k.insertInstant } });
    this.apiKeys = new DocumentTable(db, {
      name: 'api_keys',
      columns: { key_hash: (k) => k.keyHash, tenant_id: (k) => k.tenantId ?? null, insert_instant: (k) => k.insertInstant },
    });
    this.users = new DocumentTable(db, {
      name: 'users',
      columns: {
        tenant_id: (u) => u.tenantId,
        email: (u) => lower(u.email),
        username: (u) => lower(u.username),
        insert_instant: (u) => u.insertInstant,
      },
    });
    this.registrations = new DocumentTable(db, {
      name: 'registrations',
      columns: {
        user_id: (r) => r.userId,
        application_id: (r) => r.applicationId,
        tenant_id: (r) => r.tenantId,
        insert_instant: (r) => r.insertInstant,
      },
    });
    this.refreshTokens = new DocumentTable(db, {
      name: 'refresh_tokens',
      columns: {
        token_hash: (r) => r.tokenHash,
        tenant_id: (r) => r.tenantId,
        user_id: (r) => r.userId,
        application_id: (r) => r.applicationId,
        insert_instant: (r) => r.insertInstant,
      },
    });
    this.adminSessions = new DocumentTable(db, {
      name: 'admin_sessions',
      columns: { user_id: (a) => a.userId ?? null, seen_instant: (a) => a.seen, insert_instant: (a) => a.created },
    });
    this.ssoSessions = new DocumentTable(db, {
      name: 'sso_sessions',
      columns: { tenant_id: (s) => s.tenantId, user_id: (s) => s.userId, expires_instant: (s) => s.expiresInstant, insert_instant: (s) => s.insertInstant },
    });
    const twoFactorColumns = {
      tenant_id: (r: TwoFactorLogin | TwoFactorTrust) => r.tenantId,
      user_id: (r: TwoFactorLogin | TwoFactorTrust) => r.userId,
      expires_instant: (r: TwoFactorLogin | TwoFactorTrust) => r.expiresInstant,
      insert_instant: (r: TwoFactorLogin | TwoFactorTrust) => r.insertInstant,
    };
    this.twoFactorLogins = new DocumentTable<TwoFactorLogin>(db, { name: 'two_factor_logins', columns: twoFactorColumns });
    this.twoFactorTrusts = new DocumentTable<TwoFactorTrust>(db, { name: 'two_factor_trusts', columns: twoFactorColumns });
    this.userCodes = new DocumentTable(db, {
      name: 'user_codes',
      columns: { kind: (c) => c.kind, tenant_id: (c) => c.tenantId, user_id: (c) => c.userId, expires_instant: (c) => c.expiresInstant, insert_instant: (c) => c.insertInstant },
    });
    this.themes = new DocumentTable(db, { name: 'themes', columns: { name: (t) => t.name, insert_instant: (t) => t.insertInstant } });
    this.authorizationCodes = new DocumentTable(db, {
      name: 'oauth_codes',
      columns: {
        tenant_id: (c) => c.tenantId,
        application_id: (c) => c.applicationId,
        used: (c) => (c.used ? 1 : 0),
        jti: (c) => c.accessTokenJti ?? null,
        expires_instant: (c) => c.expiresInstant,
        insert_instant: (c) => c.insertInstant,
      },
    });
  }

  /**
   * Runs `work` in one database transaction and returns its result: everything it writes through the
   * Storage it is given commits together or not at all. Inside a transaction, a nested call runs in the
   * same one. On SQLite kysely serialises transactions over its one connection; on PostgreSQL they are
   * READ COMMITTED, so code that must not interleave takes row locks (`lockApplication`).
   */
  async transaction<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new Storage(trx, this.dialect, this.feed)));
  }

  /**
   * Inside a transaction on PostgreSQL, locks the application's row until the commit (`mode` share for
   * writers that only depend on its roles, update for writers that change them); a no-op on SQLite,
   * whose transactions are already serialised.
   */
  async lockApplication(applicationId: string, mode: 'share' | 'update'): Promise<void> {
    if (this.dialect !== 'postgres' || !this.db.isTransaction) return;
    await sql`SELECT id FROM applications WHERE id = ${applicationId} ${mode === 'share' ? sql`FOR SHARE` : sql`FOR UPDATE`}`.execute(this.db);
  }

  /**
   * Deletes admin sessions idle since `idleBefore` or created before `createdBefore`, then the least
   * recently seen beyond `max`.
   */
  async trimAdminSessions(idleBefore: number, createdBefore: number, max: number): Promise<void> {
    await this.db.deleteFrom('admin_sessions').where((eb) => eb.or([eb('seen_instant', '<', idleBefore), eb('insert_instant', '<', createdBefore)])).execute();
    const excess = (await this.adminSessions.count()) - max;
    if (excess <= 0) return;
    const oldest = (await this.db.selectFrom('admin_sessions').select('id').orderBy('seen_instant').orderBy('insert_instant').limit(excess).execute()) as { id: string }[];
    await this.db.deleteFrom('admin_sessions').where('id', 'in', oldest.map((r) => r.id)).execute();
  }

  /** Opens (creating and migrating as needed) the database: an SQLite path or a postgres:// URL. */
  static async open(database: string): Promise<Storage> {
    const { db, dialect, schema, url } = await openDatabase(database);
    let feed: ChangeFeed;
    try {
      feed =
        dialect === 'postgres'
          ? await ChangeFeed.postgres(url!, schema!, async (channel) => {
              await sql`SELECT pg_notify(${channel}, '')`.execute(db);
            })
          : ChangeFeed.local();
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw new GatehouseError(ErrorCode.IDP_STORAGE, `cannot listen for changes on PostgreSQL: ${(error as Error).message}`, { cause: error });
    }
    return new Storage(db, dialect, feed);
  }

  async getSetting(name: string): Promise<string | undefined> {
    const row = (await this.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst()) as { value: string } | undefined;
    return row?.value;
  }

  async setSetting(name: string, value: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ name, value })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
      .execute();
  }

  /**
   * Counts one failed login, atomically: the count restarts when the previous failure is older than
   * `windowMs`. Returns the new count.
   */
  async recordLoginFailure(userId: string, now: number, windowMs: number): Promise<number> {
    const since = now - windowMs;
    const result = await sql<{ failed_count: number }>`
      UPDATE users SET
        failed_count = CASE WHEN failed_since < ${since} THEN 1 ELSE failed_count + 1 END,
        failed_since = CASE WHEN failed_since < ${since} THEN ${now} ELSE failed_since END
      WHERE id = ${userId}
      RETURNING failed_count`.execute(this.db);
    return Number(result.rows[0]?.failed_count ?? 0);
  }

  async lockUser(userId: string, until: number): Promise<void> {
    await this.db.updateTable('users').set({ locked_until: until, failed_count: 0, failed_since: 0 }).where('id', '=', userId).execute();
  }

  async clearLoginFailures(userId: string): Promise<void> {
    await this.db.updateTable('users').set({ failed_count: 0, failed_since: 0, locked_until: 0 }).where('id', '=', userId).execute();
  }

  async lockState(userId: string): Promise<LockState> {
    const row = (await this.db.selectFrom('users').select(['failed_count', 'locked_until']).where('id', '=', userId).executeTakeFirst()) as
      | { failed_count: number; locked_until: number }
      | undefined;
    return { failedCount: Number(row?.failed_count ?? 0), lockedUntil: Number(row?.locked_until ?? 0) };
  }

  /**
   * Replaces a refresh token's document only if its hash is still `expectedHash`: two exchanges of one
   * one-time-use token cannot both win.
   */
  async replaceRefreshToken(token: RefreshToken, expectedHash: string): Promise<boolean> {
    return this.refreshTokens.update(token, { token_hash: expectedHash });
  }

  /** Deletes authorization codes that expired before `before` (epoch ms). */
  async deleteExpiredCodes(before: number): Promise<void> {
    await this.db.deleteFrom('oauth_codes').where('expires_instant', '<', before).execute();
  }

  /** Deletes SSO sessions that expired before `before` (epoch ms). */
  async deleteExpiredSsoSessions(before: number): Promise<void> {
    await this.db.deleteFrom('sso_sessions').where('expires_instant', '<', before).execute();
  }

  /** Deletes pending two-factor logins and trusted devices that expired before `before` (epoch ms). */
  async deleteExpiredTwoFactor(before: number): Promise<void> {
    await this.db.deleteFrom('two_factor_logins').where('expires_instant', '<', before).execute();
    await this.db.deleteFrom('two_factor_trusts').where('expires_instant', '<', before).execute();
  }

  /** Deletes one-time user codes that expired before `before` (epoch ms). */
  async deleteExpiredUserCodes(before: number): Promise<void> {
    await this.db.deleteFrom('user_codes').where('expires_instant', '<', before).execute();
  }

  /**
   * Counts one hit on a fixed-window rate limit, atomically (one upsert, so instances sharing the database
   * share the count): the window restarts when it began before `now - windowMs`. Returns the count in
   * the current window. Windows that ended are deleted on the way.
   */
  async hitRateLimit(bucket: string, now: number, windowMs: number): Promise<number> {
    const since = now - windowMs;
    await this.db.deleteFrom('rate_limits').where('window_start', '<', since).execute();
    const result = await sql<{ hits: number }>`
      INSERT INTO rate_limits (bucket, window_start, hits) VALUES (${bucket}, ${now}, 1)
      ON CONFLICT (bucket) DO UPDATE SET
        hits = CASE WHEN rate_limits.window_start < ${since} THEN 1 ELSE rate_limits.hits + 1 END,
        window_start = CASE WHEN rate_limits.window_start < ${since} THEN ${now} ELSE rate_limits.window_start END
      RETURNING hits`.execute(this.db);
    return Number(result.rows[0]?.hits ?? 1);
  }

  /** Deletes a user and everything hanging off it. */
  async deleteUserCascade(userId: string): Promise<void> {
    await this.ssoSessions.deleteWhere({ user_id: userId });
    await this.twoFactorLogins.deleteWhere({ user_id: userId });
    await this.twoFactorTrusts.deleteWhere({ user_id: userId });
    await this.userCodes.deleteWhere({ user_id: userId });
    await this.refreshTokens.deleteWhere({ user_id: userId });
    await this.registrations.deleteWhere({ user_id: userId });
    await this.users.delete(userId);
  }

  async deleteApplicationCascade(applicationId: string): Promise<void> {
    await this.authorizationCodes.deleteWhere({ application_id: applicationId });
    await this.refreshTokens.deleteWhere({ application_id: applicationId });
    await this.registrations.deleteWhere({ application_id: applicationId });
    await this.applications.delete(applicationId);
  }

  async deleteTenantCascade(tenantId: string): Promise<void> {
    for (const table of ['oauth_codes', 'user_codes', 'sso_sessions', 'refresh_tokens', 'two_factor_logins', 'two_factor_trusts', 'registrations', 'users', 'applications', 'api_keys']) {
      await this.db.deleteFrom(table).where('tenant_id', '=', tenantId).execute();
    }
    await this.tenants.delete(tenantId);
  }

  async close(): Promise<void> {
    await this.feed.close();
    await this.db.destroy();
  }
}
