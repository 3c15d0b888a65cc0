/**
 * The gateway's connection to Redis (`redis:` in the config), shared by every limit with
 * `store: redis` in one generation. Requests never queue behind a dead connection: with the offline
 * queue off and a per-command timeout, a command fails at once while Redis is unreachable and
 * `on_store_error` decides. Reconnects run in the background; only changes of state are logged, and
 * never the password.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';
import type { RedisConfig } from './schema.js';

export class SharedRedis {
  readonly client: Redis;
  readonly keyPrefix: string;
  private up = false;
  private closed = false;

  constructor(config: RedisConfig, baseDir: string, private readonly logger: Logger) {
    this.keyPrefix = config.key_prefix;
    const address = `${config.address.host}:${config.address.port}`;
    this.client = new Redis({
      host: config.address.host,
      port: config.address.port,
      db: config.db,
      username: config.username,
      password: readRedisPassword(config, baseDir),
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      commandTimeout: config.timeout,
      connectTimeout: Math.max(1_000, config.timeout),
      retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    });
    this.client.on('ready', () => {
      if (!this.up) logger.info({ redis: address }, 'redis connected');
      this.up = true;
    });
    this.client.on('error', (error: Error & { code?: string }) => {
      if (this.up || !this.warned) logger.warn({ redis: address, code: error.code ?? error.name }, 'redis unavailable: rate limits with store redis apply on_store_error');
      this.up = false;
      this.warned = true;
    });
    this.client.on('end', () => {
      this.up = false;
    });
  }

  private warned = false;

  get available(): boolean {
    return this.up;
  }

  /** Connects, waiting at most `waitMs`: an unreachable Redis is logged and retried, never fatal at start. */
  async connect(waitMs: number): Promise<void> {
    const connecting = this.client.connect().catch(() => undefined);
    await Promise.race([connecting, new Promise((done) => setTimeout(done, waitMs).unref())]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

/** The password of `redis.password` (env or file), or undefined; also used by the revocation feed. */
export function readRedisPassword(config: RedisConfig, baseDir: string): string | undefined {
  const source = config.password;
  if (source === undefined) return undefined;
  if (source.env !== undefined) {
    const value = process.env[source.env];
    if (value === undefined || value === '') throw new Error(`redis.password.env: the environment variable ${source.env} is not set`);
    return value;
  }
  const path = resolve(baseDir, source.file as string);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`redis.password.file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
