/**
 * Change notifications between identity provider processes sharing one database, so a per-process cache
 * (the key ring) is dropped everywhere within moments of a write, not only in the process that wrote.
 *
 * PostgreSQL: `NOTIFY` on the write, `LISTEN` on a dedicated connection in every process; channels are
 * per schema, so parallel test schemas stay apart. A lost listening connection is re-opened after a second
 * and every listener is called then (notifications may have been missed meanwhile). SQLite: the process
 * is alone; notifications are delivered in-process only.
 */
import pg from 'pg';

export type ChangeListener = () => void;

export class ChangeFeed {
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private client: pg.Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly postgres: { url: string; prefix: string; notify: (channel: string) => Promise<void> } | undefined,
  ) {}

  static local(): ChangeFeed {
    return new ChangeFeed(undefined);
  }

  /** `notify` sends on the shared pool (`SELECT pg_notify(channel, '')`). */
  static async postgres(url: string, schema: string, notify: (channel: string) => Promise<void>): Promise<ChangeFeed> {
    const feed = new ChangeFeed({ url, prefix: `gatehouse_${schema}`.slice(0, 50), notify });
    await feed.connect();
    return feed;
  }

  private channel(name: string): string {
    return `${this.postgres!.prefix}_${name}`;
  }

  private async connect(): Promise<void> {
    const postgres = this.postgres!;
    const client = new pg.Client({ connectionString: postgres.url });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners();
      void client.end().catch(() => undefined);
      this.reconnectLater();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      for (const [name, set] of this.listeners) if (this.channel(name) === message.channel) for (const listener of set) listener();
    });
    await client.connect();
    this.client = client;
    for (const name of this.listeners.keys()) await client.query(`LISTEN "${this.channel(name)}"`);
  }

  private reconnectLater(): void {
    if (this.closed || this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().then(
        () => {
          for (const set of this.listeners.values()) for (const listener of set) listener();
        },
        () => this.reconnectLater(),
      );
    }, 1_000);
    this.retry.unref();
  }

  /** Calls `listener` whenever any process (this one included) announces a change of `name`. */
  async listen(name: string, listener: ChangeListener): Promise<void> {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
      if (this.client !== undefined) await this.client.query(`LISTEN "${this.channel(name)}"`);
    }
    set.add(listener);
  }

  /** Announces a change of `name` to every process; in-process listeners are called at once. */
  async notify(name: string): Promise<void> {
    for (const listener of this.listeners.get(name) ?? []) listener();
    if (this.postgres !== undefined) await this.postgres.notify(this.channel(name));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
