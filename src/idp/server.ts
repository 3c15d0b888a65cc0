/**
 * `startIdp`: opens (and migrates) the database, initialises a fresh one (kickstart or default tenant +
 * one-time admin key), and serves FusionAuth's API. `gatehouse idp` and `gatehouse up` both call this.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode, GatehouseError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logger.js';
import type { IdpContext } from './context.js';
import { PasswordHasher, type PasswordHashing } from './crypto/password.js';
import { createApp } from './http/app.js';
import { constantTimeEqual, randomToken } from './crypto/secrets.js';
import { DEFAULT_PORT } from './model/defaults.js';
import { registerRoutes } from './routes/index.js';
import { KeyRing } from './services/keyring.js';
import { Mailer } from './services/mail/index.js';
import { TokenService } from './services/tokens.js';
import { RevocationEvents, type RevocationOptions } from './services/revocation-events.js';
import { Storage } from './storage/index.js';
import { initialize, type InitializeResult } from './bootstrap/initialize.js';

export interface IdpOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 9011 (FusionAuth's); 0 picks a free port. */
  port?: number;
  /** An SQLite file path, or a postgres:// URL (optionally with ?schema=NAME). */
  database: string;
  /** A kickstart file path or object, used only when the database is fresh. */
  kickstart?: string | object;
  logger?: Logger;
  /**
   * The issuer of the default tenant created on a fresh database. Default: the server's own URL
   * (`http://127.0.0.1:9011`), the issuer its discovery document serves, so OpenID clients work out of the box.
   */
  issuer?: string;
  /** Password hashing parameters; defaults to DEFAULT_PASSWORD_HASHING. */
  passwordHashing?: PasswordHashing;
  /** Receives the one-time admin API key of a fresh database; default: printed once to stdout. */
  onAdminKey?: (key: string) => void;
  /** The clock (epoch ms); tests freeze it. */
  now?: () => number;
  /** Where revocation events go: a Redis stream the gateways read, and webhook URLs (docs/auth.md). */
  revocation?: RevocationOptions;
  /**
   * The URL browsers reach this server at (behind a proxy: the public one); the links in emails (reset
   * password, verify email) start with it. Default: the server's own URL.
   */
  publicUrl?: string;
  /** A development mailbox folder (`gatehouse up`'s data/mail): the admin console lists it at /admin/mail. */
  devMailbox?: string;
}

export interface RunningIdp {
  url: string;
  port: number;
  /** What the start did to the database. */
  initialization: InitializeResult;
  /** The fastify instance (for in-process requests with `inject`). */
  app: FastifyInstance;
  close(): Promise<void>;
}

function revocationOptionProblems(r: RevocationOptions | undefined): string[] {
  if (r === undefined) return [];
  const problems: string[] = [];
  if (r.redis !== undefined && !/^rediss?:\/\/[^\s]+$/.test(r.redis)) problems.push('revocation.redis: expected a redis://host:port URL');
  for (const [i, url] of (r.webhooks ?? []).entries()) if (!/^https?:\/\/[^\s]+$/.test(url)) problems.push(`revocation.webhooks[${i}]: expected an http(s) URL`);
  if (r.keyPrefix !== undefined && !/^[!-~]*$/.test(r.keyPrefix)) problems.push('revocation.keyPrefix: expected visible ASCII without spaces');
  if (r.stream !== undefined && !/^[!-~]+$/.test(r.stream)) problems.push('revocation.stream: expected visible ASCII without spaces');
  if (r.retentionMs !== undefined && !(Number.isInteger(r.retentionMs) && r.retentionMs >= 60_000)) problems.push('revocation.retentionMs: expected whole milliseconds, at least 60000');
  return problems;
}

function printAdminKey(key: string): void {
  process.stdout.write(
    `\nGatehouse identity provider: created the default tenant and an admin API key.\n` +
      `It is shown only this once; keep it somewhere safe:\n\n  ${key}\n\n`,
  );
}

/** Checks the options once, naming each bad one; throws ERR_CONFIG_INVALID. */
function checkOptions(options: IdpOptions): void {
  const problems: string[] = [];
  if (typeof options.database !== 'string' || options.database.trim() === '') problems.push('database: an SQLite file path or a postgres:// URL is required');
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535)) problems.push(`port: must be a whole number from 0 to 65535, not ${String(options.port)}`);
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) problems.push('host: must be a non-empty string');
  if (options.issuer !== undefined && (typeof options.issuer !== 'string' || options.issuer.trim() === '')) problems.push('issuer: must be a non-empty string');
  problems.push(...revocationOptionProblems(options.revocation));
  if (options.publicUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(options.publicUrl)) problems.push('publicUrl: must be an http(s) URL');
  if (options.kickstart !== undefined && typeof options.kickstart !== 'string' && (typeof options.kickstart !== 'object' || options.kickstart === null)) {
    problems.push('kickstart: must be a file path or a kickstart object');
  }
  const hashing = options.passwordHashing;
  if (hashing !== undefined && !(hashing.memoryCost >= 1024 && hashing.timeCost >= 1 && hashing.parallelism >= 1)) {
    problems.push('passwordHashing: memoryCost >= 1024 (KiB), timeCost >= 1 and parallelism >= 1 are required');
  }
  if (problems.length > 0) throw new GatehouseError(ErrorCode.CONFIG_INVALID, `invalid identity provider options:\n  ${problems.join('\n  ')}`);
}

export async function startIdp(options: IdpOptions): Promise<RunningIdp> {
  checkOptions(options);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  const logger = options.logger ?? createLogger({ name: 'idp' });
  const storage = await Storage.open(options.database);
  const now = options.now ?? Date.now;
  const keys = new KeyRing(storage, now);
  await keys.subscribe();
  const ctx: IdpContext = {
    storage,
    keys,
    tokens: new TokenService(storage, keys, now),
    passwords: new PasswordHasher(options.passwordHashing),
    logger,
    revocationEvents: new RevocationEvents(options.revocation ?? {}, storage, logger, now),
    mail: new Mailer(logger),
    publicUrl: options.publicUrl ?? '',
    ...(options.devMailbox === undefined ? {} : { devMailbox: options.devMailbox }),
    now,
    internalKey: undefined,
    consoleKey: randomToken(48),
  };
  const app = createApp(ctx);
  // The server listens before a fresh database is initialised (the default issuer is the server's own
  // URL, known only once it listens); until then, requests wait, except the in-process ones of the
  // kickstart and the admin console set-up, which carry the in-memory keys.
  let initialized = false;
  let markInitialized!: () => void;
  const initializing = new Promise<void>((resolve) => {
    markInitialized = resolve;
  });
  app.addHook('onRequest', async (request) => {
    if (initialized) return;
    const presented = request.headers.authorization;
    if (typeof presented === 'string' && ((ctx.internalKey !== undefined && constantTimeEqual(presented, ctx.internalKey)) || (ctx.consoleKey !== undefined && constantTimeEqual(presented, ctx.consoleKey)))) return;
    await initializing;
  });
  registerRoutes(app, ctx);
  let initialization: InitializeResult;
  let url: string;
  let actualPort: number;
  try {
    await app.ready();
    await app.listen({ host, port });
    const address = app.server.address();
    actualPort = typeof address === 'object' && address !== null ? address.port : port;
    const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    url = `http://${urlHost}:${actualPort}`;
    if (ctx.publicUrl === '') ctx.publicUrl = url;
    initialization = await initialize(ctx, app, {
      onAdminKey: options.onAdminKey ?? printAdminKey,
      ...(options.kickstart === undefined ? {} : { kickstart: options.kickstart }),
      issuer: options.issuer ?? url,
    });
    initialized = true;
    markInitialized();
  } catch (error) {
    await app.close().catch(() => undefined);
    await ctx.revocationEvents.close().catch(() => undefined);
    await storage.close().catch(() => undefined);
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new GatehouseError(ErrorCode.PORT_IN_USE, `port ${port} on ${host} is already in use; choose another with --port`, { cause: error });
    }
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new GatehouseError(ErrorCode.PORT_IN_USE, `cannot listen on ${host}:${port} (${code})`, { cause: error });
    }
    throw error;
  }
  logger.info({ event: 'idp.listening', url, database: storage.dialect }, 'identity provider listening');
  let closed: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    initialization,
    app,
    close() {
      closed ??= (async () => {
        await app.close();
        await ctx.revocationEvents.close();
        await ctx.mail.idle();
        await storage.close();
      })();
      return closed;
    },
  };
}
