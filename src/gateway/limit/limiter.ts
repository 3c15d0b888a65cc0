/**
 * One named rate limit at request time: the request's key (key.ts), the store's verdict, and what
 * happens when the store cannot answer (`on_store_error`). Limits by `source` or `header(...)` run
 * before authorization, so a flood is refused before it costs a signature check; a limit by `subject`
 * runs after it, on the verified token's `sub`.
 */
import type { Counter } from 'prom-client';
import type { Logger } from '../../shared/logger.js';
import { limitKeyValue, type LimitKey } from './key.js';
import type { RateLimitConfig } from './schema.js';
import { LocalStore } from './local-store.js';
import type { RateStore } from './store.js';
import type { WindowVerdict } from './window.js';

/** RateLimit-Limit, -Remaining and -Reset as [name, value] pairs. */
export type RateLimitHeaders = ReadonlyArray<readonly [string, string]>;

export type LimitVerdict =
  /** `headers`: the RateLimit-* headers for the response (limits with `headers: true`). */
  | { readonly allowed: true; readonly headers?: RateLimitHeaders }
  /** 429 with Retry-After (seconds). */
  | { readonly allowed: false; readonly status: 429; readonly retryAfterS: number; readonly headers?: RateLimitHeaders }
  /** The store failed and `on_store_error: deny`. */
  | { readonly allowed: false; readonly status: 503 };

const ALLOWED: LimitVerdict = Object.freeze({ allowed: true });
const STORE_DOWN: LimitVerdict = Object.freeze({ allowed: false, status: 503 });

export interface LimiterMetrics {
  readonly storeErrors: Counter<'limit'>;
}

export class RateLimiter {
  readonly name: string;
  readonly key: LimitKey;
  /** Checked before authorization (source, header) or after it (subject). */
  readonly beforeAuth: boolean;
  private store: RateStore;
  private readonly failOpen: boolean;
  /** `headers: true`: the limit's RateLimit-Limit value; else undefined (no headers). */
  private readonly headerLimit: string | undefined;
  private readonly onStoreError: (error: unknown) => LimitVerdict;

  constructor(name: string, config: RateLimitConfig, store: RateStore, metrics: LimiterMetrics, logger: Logger) {
    this.name = name;
    this.key = config.key;
    this.beforeAuth = config.key.kind !== 'subject';
    this.store = store;
    this.failOpen = config.on_store_error === 'allow';
    this.headerLimit = config.headers ? String(config.requests) : undefined;
    const errors = metrics.storeErrors.labels(name);
    this.onStoreError = (error: unknown) => {
      errors.inc();
      logger.debug({ limit: name, code: (error as { code?: string })?.code ?? (error as Error)?.name }, 'rate limit store failed');
      return this.failOpen ? ALLOWED : STORE_DOWN;
    };
  }

  /** Reload: keep the previous generation's local counters when this limit counts the same way (same key too). */
  adoptCounters(previous: RateLimiter): void {
    const sameKey = JSON.stringify(previous.key) === JSON.stringify(this.key);
    if (sameKey && this.store instanceof LocalStore && previous.store instanceof LocalStore && this.store.sameRules(previous.store)) this.store = previous.store;
  }

  /** The verdict for one request; a promise when the store is remote. Never rejects. */
  check(source: string, header: string | string[] | undefined, subject: string | undefined, now = Date.now()): LimitVerdict | Promise<LimitVerdict> {
    const key = limitKeyValue(this.key, source, header, subject);
    let verdict: WindowVerdict | Promise<WindowVerdict>;
    try {
      verdict = this.store.hit(key, now);
    } catch (error) {
      return this.onStoreError(error);
    }
    if (verdict instanceof Promise) return verdict.then(this.toLimitVerdict, this.onStoreError);
    return this.toLimitVerdict(verdict);
  }

  private readonly toLimitVerdict = (verdict: WindowVerdict): LimitVerdict => {
    const limit = this.headerLimit;
    const headers: RateLimitHeaders | undefined = limit === undefined
      ? undefined
      : [['RateLimit-Limit', limit], ['RateLimit-Remaining', String(verdict.remaining)], ['RateLimit-Reset', String(Math.max(1, Math.ceil(verdict.resetMs / 1000)))]];
    if (verdict.allowed) return headers === undefined ? ALLOWED : { allowed: true, headers };
    return { allowed: false, status: 429, retryAfterS: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)), headers };
  };
}

/** Names of the headers `headers: true` adds, lower-case: an upstream's own copies are replaced. */
export const RATE_LIMIT_HEADERS: readonly string[] = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];
