/**
 * Where a session's tokens live. `cookie` (default): the whole session is sealed into the cookie.
 * `redis`: the cookie holds only a sealed pointer (session id and end); the session itself is sealed
 * (AES-256-GCM, the Redis key as additional data — Redis never sees a token in clear) and kept in Redis
 * until the session ends. Logout deletes it, so a copied cookie is dead after logout; a refresh changes
 * only the Redis entry. A Redis that cannot be read makes no session (the browser signs in again),
 * logged with ERR_LOGIN_STORE.
 */
import { Redis } from 'ioredis';
import { ErrorCode } from '../../../shared/errors.js';
import type { AuthLogger } from '../logging.js';
import type { CookieSealer } from './sealed-cookie.js';
import { asSession, type Session } from './session.js';

export interface SessionStore {
  /** Whether a refresh must send the browser a new cookie. */
  readonly cookieChangesOnRefresh: boolean;
  /** The session behind what the cookie held (already opened), or undefined. */
  read(opened: unknown, now: number): Session | undefined | Promise<Session | undefined>;
  /** Keeps the session; what to seal into the cookie. Rejects when it cannot be kept. */
  write(session: Session, now: number): unknown;
  /** Forgets the session (logout). */
  remove(opened: unknown): Promise<void>;
  close(): void;
}

export class CookieStore implements SessionStore {
  readonly cookieChangesOnRefresh = true;
  read(opened: unknown, now: number): Session | undefined {
    return asSession(opened, now);
  }
  write(session: Session): unknown {
    return session;
  }
  async remove(): Promise<void> {}
  close(): void {}
}

export interface RedisStoreOptions {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly keyPrefix: string;
  readonly timeoutMs: number;
}

interface Pointer {
  readonly sid: string;
  readonly ends: number;
}

export class RedisSessionStore implements SessionStore {
  readonly cookieChangesOnRefresh = false;
  private readonly redis: Redis;

  constructor(private readonly o: RedisStoreOptions, private readonly sealer: CookieSealer, private readonly logger: AuthLogger) {
    this.redis = new Redis({
      host: o.host,
      port: o.port,
      db: o.db,
      username: o.username,
      password: o.password,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.timeoutMs,
      connectTimeout: Math.max(1_000, o.timeoutMs),
      retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    });
    this.redis.on('error', (error: Error & { code?: string }) => this.logger.warn({ code: ErrorCode.LOGIN_STORE, error: error.code ?? error.name }, 'login: session store (redis) unavailable'));
  }

  /** Connects before the policy serves; a Redis that is down at start fails the build. */
  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async read(opened: unknown, now: number): Promise<Session | undefined> {
    const pointer = asPointer(opened, now);
    if (pointer === undefined) return undefined;
    const key = this.key(pointer.sid);
    let sealed: string | null;
    try {
      sealed = await this.redis.get(key);
    } catch (error) {
      this.logger.warn({ code: ErrorCode.LOGIN_STORE, error: (error as Error).message }, 'login: session could not be read; treated as none');
      return undefined;
    }
    if (sealed === null) return undefined;
    const session = asSession(this.sealer.open(key, sealed), now);
    return session?.sid === pointer.sid ? session : undefined;
  }

  async write(session: Session, now: number): Promise<Pointer> {
    const key = this.key(session.sid);
    await this.redis.set(key, this.sealer.seal(key, session), 'PX', Math.max(1, session.ends - now));
    return { sid: session.sid, ends: session.ends };
  }

  async remove(opened: unknown): Promise<void> {
    const pointer = asPointer(opened, 0);
    if (pointer === undefined) return;
    try {
      await this.redis.del(this.key(pointer.sid));
    } catch (error) {
      this.logger.warn({ code: ErrorCode.LOGIN_STORE, error: (error as Error).message }, 'login: session could not be deleted at logout');
    }
  }

  close(): void {
    this.redis.disconnect();
  }

  private key(sid: string): string {
    return `${this.o.keyPrefix}${sid}`;
  }
}

function asPointer(value: unknown, now: number): Pointer | undefined {
  const v = value as Partial<Pointer> | null | undefined;
  if (v === null || typeof v !== 'object' || typeof v.sid !== 'string' || typeof v.ends !== 'number') return undefined;
  return v.ends > now ? (v as Pointer) : undefined;
}
