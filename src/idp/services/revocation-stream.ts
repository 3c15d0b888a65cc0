/**
 * The identity provider's side of the revocation feed: appends each revocation to a Redis stream that
 * every gateway reads (src/gateway/auth/revocation/stream-feed.ts; why a stream there). Each XADD trims
 * entries older than the retention (`MINID ~`), which must exceed the longest access-token lifetime.
 *
 * Redis down: the command waits in the client's offline queue and is sent on reconnection, while the
 * revoking API call goes on after APPEND_WAIT_MS (the revocation is in the database either way; the
 * delay is logged). Gateways then catch up from the stream. Never logs the password.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';
import { encodeRevocation, type Revocation } from '../../shared/revocation-record.js';

/** How long a revoking API call waits for Redis before it answers anyway. */
const APPEND_WAIT_MS = 1_000;

export interface RevocationStreamOptions {
  /** `redis://[user:password@]host:port[/db]` */
  readonly url: string;
  /** The full stream key (prefix + name), e.g. `gatehouse:revocations`. */
  readonly key: string;
  readonly retentionMs: number;
}

export class RevocationStream {
  private readonly client: Redis;
  private readonly where: string;

  constructor(private readonly options: RevocationStreamOptions, private readonly logger: Logger) {
    this.client = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: 'gatehouse-idp-revocation', retryStrategy: (n) => Math.min(100 * n, 2_000) });
    const parsed = new URL(options.url);
    this.where = `${parsed.hostname}:${parsed.port || '6379'}`;
    let warned = false;
    this.client.on('error', (error: Error & { code?: string }) => {
      if (!warned) logger.warn({ event: 'idp.revocation.redis', redis: this.where, code: error.code ?? error.name }, 'revocation stream: Redis unavailable; revocations wait for it');
      warned = true;
    });
    this.client.on('ready', () => {
      if (warned) logger.info({ event: 'idp.revocation.redis', redis: this.where }, 'revocation stream: Redis back');
      warned = false;
    });
    this.client.connect().catch(() => undefined);
  }

  async append(revocation: Revocation, nowMs: number): Promise<void> {
    const minId = Math.max(0, nowMs - this.options.retentionMs);
    const sent = this.client.call('XADD', this.options.key, 'MINID', '~', String(minId), '*', ...encodeRevocation(revocation)).then(
      () => true,
      (error: Error) => {
        this.logger.error({ event: 'idp.revocation.lost', redis: this.where, type: revocation.type, id: revocation.event, code: error.name }, 'revocation stream: a revocation could not be appended');
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([sent, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), APPEND_WAIT_MS)))]);
    clearTimeout(timer);
    if (!done) this.logger.warn({ event: 'idp.revocation.queued', redis: this.where, type: revocation.type, id: revocation.event }, 'revocation stream: Redis did not answer; the revocation is sent when it does');
  }

  /** Sends what is queued if Redis answers within a second (QUIT waits for earlier commands), then disconnects. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.client.quit().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 1_000)))]);
    clearTimeout(timer);
    this.client.disconnect();
  }
}
