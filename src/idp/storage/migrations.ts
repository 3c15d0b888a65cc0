/**
 * The one schema, for SQLite and PostgreSQL alike, as numbered migrations run in order at start (kysely's
 * Migrator records the applied ones in `kysely_migration`). Never edit a released migration: add the next one.
 *
 * Every object table keeps the FusionAuth JSON document in `body` and copies the fields it is looked up or
 * kept unique by into indexed columns.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('kid', 'text', (c) => c.notNull().unique())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('applications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addUniqueConstraint('applications_tenant_name', ['tenant_id', 'name'])
      .execute();
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('tenant_id', 'text')
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('username', 'text')
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed_since', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('users_tenant_email', ['tenant_id', 'email'])
      .addUniqueConstraint('users_tenant_username', ['tenant_id', 'username'])
      .execute();
    await db.schema
      .createTable('registrations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('application_id', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addUniqueConstraint('registrations_user_application', ['user_id', 'application_id'])
      .execute();
    await db.schema.createIndex('registrations_application').on('registrations').column('application_id').execute();
    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('application_id', 'text', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').column('user_id').execute();
    await db.schema.createIndex('refresh_tokens_application').on('refresh_tokens').column('application_id').execute();
  },
};

/** OAuth authorization codes (src/idp/oauth/codes.ts): found by the SHA-256 of the code, used at most once. */
const oauthCodes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('oauth_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('application_id', 'text', (c) => c.notNull())
      .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('jti', 'text')
      .addColumn('expires_instant', 'bigint', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('oauth_codes_jti').on('oauth_codes').column('jti').execute();
    await db.schema.createIndex('oauth_codes_expires').on('oauth_codes').column('expires_instant').execute();
  },
};

/** Admin console sessions (src/idp/admin/session.ts), shared by every instance on the database. */
const adminSessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('admin_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text')
      .addColumn('seen_instant', 'bigint', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('admin_sessions_user').on('admin_sessions').column('user_id').execute();
    await db.schema.createIndex('admin_sessions_seen').on('admin_sessions').column('seen_instant').execute();
  },
};

/**
 * Email flows (src/idp/services/user-codes.ts, rate-limit.ts): one-time identifiers a user receives
 * (change-password ids, email verification ids), found by their SHA-256 and deleted when used; and the
 * fixed-window counters of the rate limits on email-sending endpoints and hosted forms.
 */
const mail: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('user_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('expires_instant', 'bigint', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('user_codes_user').on('user_codes').columns(['user_id', 'kind']).execute();
    await db.schema.createIndex('user_codes_expires').on('user_codes').column('expires_instant').execute();
    await db.schema
      .createTable('rate_limits')
      .addColumn('bucket', 'text', (c) => c.primaryKey())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limits_window').on('rate_limits').column('window_start').execute();
  },
};

/**
 * Two-factor login (src/idp/services/two-factor/): pending logins (FusionAuth's `twoFactorId`) and trusted
 * devices (`twoFactorTrustId`), each found by the SHA-256 of its id. Methods and recovery code hashes live
 * in the user document.
 */
const twoFactor: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const table of ['two_factor_logins', 'two_factor_trusts']) {
      await db.schema
        .createTable(table)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('expires_instant', 'bigint', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex(`${table}_user`).on(table).column('user_id').execute();
      await db.schema.createIndex(`${table}_expires`).on(table).column('expires_instant').execute();
    }
  },
};

/**
 * SSO sessions of the hosted login pages (src/idp/services/sso-session.ts): found by the SHA-256 of the
 * `fusionauth.sso` cookie, shared by every instance on the database.
 */
const ssoSessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('sso_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('expires_instant', 'bigint', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sso_sessions_user').on('sso_sessions').column('user_id').execute();
    await db.schema.createIndex('sso_sessions_expires').on('sso_sessions').column('expires_instant').execute();
  },
};

/** Themes of the hosted pages (`/api/theme`, src/idp/services/themes.ts): a name, colours and a logo. */
const themes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('themes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
  },
};

export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_oauth_codes': oauthCodes,
  '0003_admin_sessions': adminSessions,
  '0004_mail': mail,
  '0005_two_factor': twoFactor,
  '0006_sso_sessions': ssoSessions,
  '0007_themes': themes,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
