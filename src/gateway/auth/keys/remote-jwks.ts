/**
 * A JWKS URL as a key source (the part of Envoy's jwt_authn and KrakenD worth copying, gateway-peers §3):
 * fetched before the policy is ready, cached between min_age and max_age honouring Cache-Control,
 * refreshed in the background, refetched on an unknown kid at most once per cool-down with all waiters
 * sharing one fetch (single-flight), and the last good keys kept when a fetch fails.
 */
import { ErrorCode, GatehouseError } from '../../../shared/errors.js';
import type { VerificationKey } from '../algorithms.js';
import type { Algorithm } from '../config.js';
import type { AuthLogger } from '../logging.js';
import { cacheLifetimeMs, fetchJson } from './http-json.js';
import { keyFromJwk } from './jwk.js';
import { dropDuplicateKids } from './key-set.js';

export interface RemoteJwksOptions {
  readonly url: string;
  /** Config key path, for messages. */
  readonly path: string;
  readonly algorithms: readonly Algorithm[];
  readonly minAgeMs: number;
  readonly maxAgeMs: number;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
  readonly logger: AuthLogger;
  readonly now: () => number;
  readonly onFetch: (result: 'ok' | 'error') => void;
  readonly onChange: (keys: readonly VerificationKey[]) => void;
}

export class RemoteJwks {
  keys: readonly VerificationKey[] = [];
  /** Wall-clock ms of the last successful fetch; 0 before the first. */
  lastSuccessAt = 0;
  private lastAttemptAt = -Infinity;
  private lastText = '';
  private inflight: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: RemoteJwksOptions) {}

  /** First fetch; the policy is not built until it succeeds. */
  async start(): Promise<void> {
    const ok = await this.refetch();
    if (!ok) throw new GatehouseError(ErrorCode.KEY_FETCH, `${this.options.path}: cannot load a usable key set from ${this.options.url} (${this.lastProblem})`);
  }

  /**
   * Called when a token names a kid the set does not have. Returns the shared in-flight fetch, a new
   * fetch when the cool-down has passed, or undefined when a fetch is not allowed yet.
   */
  refetchForUnknownKid(): Promise<boolean> | undefined {
    if (this.inflight !== undefined) return this.inflight;
    if (this.options.now() - this.lastAttemptAt < this.options.cooldownMs) return undefined;
    return this.refetch();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private lastProblem = '';

  private refetch(): Promise<boolean> {
    if (this.inflight !== undefined) return this.inflight;
    this.lastAttemptAt = this.options.now();
    this.inflight = this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<boolean> {
    const { url, logger } = this.options;
    try {
      const fetched = await fetchJson(url, this.options.timeoutMs);
      const keys = this.keysOf(fetched.value);
      if (keys.length === 0) throw new Error('the key set has no usable key');
      this.lastSuccessAt = this.options.now();
      this.options.onFetch('ok');
      this.schedule(cacheLifetimeMs(fetched.cacheControl, this.options.minAgeMs, this.options.maxAgeMs));
      if (fetched.text !== this.lastText) {
        this.lastText = fetched.text;
        this.keys = keys;
        this.options.onChange(keys);
        logger.info({ jwks: url, keys: keys.map((k) => k.kid ?? '(no kid)') }, 'auth: key set loaded');
      }
      return true;
    } catch (error) {
      this.lastProblem = (error as Error).message;
      this.options.onFetch('error');
      logger.warn({ jwks: url, problem: this.lastProblem, keptKeys: this.keys.length }, 'auth: key set fetch failed; keeping the last good keys');
      this.schedule(Math.max(this.options.cooldownMs, 1_000));
      return false;
    }
  }

  private keysOf(document: unknown): VerificationKey[] {
    const list = (document as { keys?: unknown } | null)?.keys;
    if (typeof document !== 'object' || document === null || !Array.isArray(list)) throw new Error('not a JWK Set (no "keys" array)');
    const keys: VerificationKey[] = [];
    for (const jwk of list) {
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) continue;
      const result = keyFromJwk(jwk as Record<string, unknown>, this.options.algorithms, this.options.url);
      const kid = (jwk as { kid?: unknown }).kid;
      if ('refused' in result) this.options.logger.warn({ jwks: this.options.url, kid, problem: result.refused }, 'auth: key refused');
      else if ('ignored' in result) this.options.logger.debug({ jwks: this.options.url, kid, problem: result.ignored }, 'auth: key ignored');
      else keys.push(result.key);
    }
    const unique = dropDuplicateKids(keys);
    if (unique.duplicates.length > 0) this.options.logger.warn({ jwks: this.options.url, kids: unique.duplicates }, 'auth: keys with a duplicate kid refused');
    return unique.keys;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refetch();
    }, delayMs);
    this.timer.unref();
  }
}
