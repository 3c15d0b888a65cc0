/**
 * Keeps one process's RevocationList in step with the Redis stream the identity provider appends to.
 *
 * Why a stream read with XREAD BLOCK and not pub/sub: a blocked XREAD is woken by the XADD as fast as a
 * SUBSCRIBE is by a PUBLISH, but it reads from a position. After a restart the process reads the whole
 * (trimmed) stream; after a lost connection it goes on from the last entry it applied — no window in
 * which an event is published to nobody, no second mechanism to close that window, and the order is the
 * order of the XADDs. Each worker reads for itself (its own connection), so no IPC is on the path.
 *
 * State: `current` once a read after (re)connecting has returned everything up to the end of the
 * stream; not current as soon as the connection closes, a command fails or a blocked read overstays its
 * time (a silently dead connection is then dropped and reconnected). Only changes are logged.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../../shared/logger.js';
import { decodeRevocation } from '../../../shared/revocation-record.js';
import type { RedisConfig } from '../../limit/schema.js';
import { readRedisPassword } from '../../limit/redis-client.js';
import { RevocationList } from './revocation-list.js';
import type { RevocationConfig } from './schema.js';
import { trackRevocationList, untrackRevocationList } from './metrics.js';

/** How long one XREAD blocks; a read not back within this plus READ_GRACE_MS means a dead connection. */
const BLOCK_MS = 5_000;
const READ_GRACE_MS = 3_000;
const BATCH = 1_000;
const PURGE_EVERY_MS = 60_000;

type Entry = [id: string, fields: string[]];

/**
 * The entries of an XREAD reply for one stream: RESP2 answers `[[key, entries]]`; a RESP3 map comes back
 * from ioredis flattened as `[key, entries]`. Anything else is no entries.
 */
function entriesOf(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const stream: unknown = typeof reply[0] === 'string' ? reply : reply[0];
  const entries = Array.isArray(stream) ? (stream[1] as unknown) : undefined;
  return Array.isArray(entries) ? (entries as Entry[]) : [];
}

export class RevocationFeed {
  readonly list: RevocationList;
  private readonly client: Redis;
  private readonly key: string;
  private readonly address: string;
  private lastId = '0-0';
  private closed = false;
  /** `starting` until the first catch-up or failure, so the first failure is logged too. */
  private state: 'starting' | 'current' | 'down' = 'starting';
  private readonly purgeTimer: NodeJS.Timeout;
  private readonly running: Promise<void>;
  private firstCurrent!: () => void;
  private readonly becameCurrent = new Promise<void>((resolve) => (this.firstCurrent = resolve));

  constructor(
    private readonly config: RevocationConfig,
    redis: RedisConfig,
    baseDir: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.list = new RevocationList(config.on_unavailable === 'deny');
    this.key = `${redis.key_prefix}${config.stream}`;
    this.address = `${redis.address.host}:${redis.address.port}`;
    this.client = new Redis({
      host: redis.address.host,
      port: redis.address.port,
      db: redis.db,
      username: redis.username,
      password: readRedisPassword(redis, baseDir),
      // named after the stream, so an operator (or a test) can find these connections in CLIENT LIST
      connectionName: `gatehouse-revocation@${this.key}`,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // a read cut off by a lost connection fails, and the loop catches up from its last entry
      autoResendUnfulfilledCommands: false,
      commandTimeout: BLOCK_MS + READ_GRACE_MS,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    });
    this.client.on('error', () => this.setCurrent(false, 'error'));
    this.client.on('close', () => this.setCurrent(false, 'closed'));
    this.purgeTimer = setInterval(() => this.list.purge(this.now()), PURGE_EVERY_MS).unref();
    trackRevocationList(this.list);
    this.running = this.run();
  }

  /** Resolves once the feed is current, or after `waitMs` (a start never fails on Redis; on_unavailable applies). */
  async ready(waitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.becameCurrent, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.purgeTimer);
    untrackRevocationList(this.list);
    this.client.disconnect();
    await this.running;
  }

  private async run(): Promise<void> {
    this.client.connect().catch(() => undefined);
    while (!this.closed) {
      try {
        if (this.client.status !== 'ready') {
          await this.untilReady();
          continue;
        }
        if (!this.list.isCurrent) {
          // catch up without blocking, then say so
          while ((await this.read(false)) === BATCH && !this.closed);
          this.setCurrent(true);
          continue;
        }
        await this.read(true);
      } catch (error) {
        if (this.closed) return;
        const code = (error as { code?: string }).code ?? (error as Error).message;
        this.setCurrent(false, code);
        // a read that timed out leaves a connection that may be dead without knowing it: start a new one
        if (/timed out/i.test((error as Error).message)) this.client.disconnect(true);
        await sleep(100);
      }
    }
  }

  /** One XREAD from the last applied entry; returns how many entries it applied. */
  private async read(block: boolean): Promise<number> {
    const args: Array<string | number> = block ? ['COUNT', BATCH, 'BLOCK', BLOCK_MS] : ['COUNT', BATCH];
    const entries = entriesOf(await this.client.call('XREAD', ...args, 'STREAMS', this.key, this.lastId));
    const now = this.now();
    for (const [id, fields] of entries) {
      const revocation = decodeRevocation(fields);
      if (revocation === undefined) this.logger.warn({ stream: this.key, id }, 'revocation feed: an entry this version does not understand was skipped');
      else this.list.apply(revocation, now);
      this.lastId = id;
    }
    return entries.length;
  }

  private untilReady(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, 500);
      this.client.once('ready', done);
    });
  }

  private setCurrent(current: boolean, why?: string): void {
    if (this.closed || this.state === (current ? 'current' : 'down')) return;
    this.state = current ? 'current' : 'down';
    this.list.setCurrent(current);
    if (current) {
      this.logger.info({ redis: this.address, stream: this.key, revoked: this.list.size }, 'revocation feed current');
      this.firstCurrent();
    } else {
      this.logger.warn(
        { redis: this.address, stream: this.key, code: why, on_unavailable: this.config.on_unavailable },
        this.config.on_unavailable === 'deny' ? 'revocation feed unavailable: denying tokens (fail closed) until it is current again' : 'revocation feed unavailable: admitting tokens not yet known as revoked (fail open) until it is current again',
      );
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
