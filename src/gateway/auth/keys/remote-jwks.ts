/**
 * A JWKS URL as a key source (the part of Envoy's jwt_authn and KrakenD worth copying, gateway-peers §3):
 * fetched before the policy is ready, cached between min_age and max_age honouring Cache-Control,
 * refreshed in the background, refetched on an unknown kid at most once per cool-down with all waiters
 * sharing one fetch (single-flight) — plus up to two quick retries when that refetch still lacks the
 * kid — and the last good keys kept when a fetch fails.
 */
import { ErrorCode, GatehouseError } from '../../../shared/errors.js';
import type { VerificationKey } from '../algorithms.js';
import type { Algorithm } from '../config.js';
import type { AuthLogger } from '../logging.js';
import { fetchJson } from './http-json.js';
import { keyFromJwk } from './jwk.js';
import { dropDuplicateKids } from './key-set.js';
import { Refresher, type FetchOutcome } from './refresher.js';

/** Waits before each extra fetch for an unknown kid: about a second in all, then the cool-down rules. */
export const UNKNOWN_KID_RETRY_DELAYS_MS: readonly number[] = [250, 750];

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export interface RemoteJwksOptions {
  /** The first URL; see `RemoteJwks.url` for the current one. */
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
  /** The URL the keys come from; changed by `moveTo` only once the new URL has served a usable set. */
  url: string;
  private lastText = '';
  private lastProblem = '';
  private readonly refresher: Refresher;
  private retrying: Promise<boolean> | undefined;
  private retriedAt = -Infinity;
  private closed = false;

  constructor(private readonly options: RemoteJwksOptions) {
    this.url = options.url;
    this.refresher = new Refresher(options, () => this.fetchOnce(this.url));
  }

  /** First fetch; the policy is not built until it succeeds. */
  async start(): Promise<void> {
    const ok = await this.refresher.run();
    if (!ok) this.close(); // no retry timer for a policy that is not built
    if (!ok) throw new GatehouseError(ErrorCode.KEY_FETCH, `${this.options.path}: cannot load a usable key set from ${this.url} (${this.lastProblem})`);
  }

  /**
   * Called when a token names a kid the set does not have. Returns the shared in-flight fetch, a new
   * fetch when the cool-down has passed, the retries in progress, or undefined when no fetch is allowed.
   *
   * When that first refetch succeeds but still lacks the kid (the server's own JWKS cache was a moment
   * behind a key rotation, e.g. another identity provider instance wrote the key), the key set is
   * fetched again after UNKNOWN_KID_RETRY_DELAYS_MS (about 1 s in all) until the kid appears — bounded,
   * once per cool-down, and shared by every waiter (single-flight), instead of refusing valid tokens for
   * the whole cool-down.
   */
  refetchForUnknownKid(kid: string): Promise<boolean> | undefined {
    const first = this.refetchOnDemand();
    if (first === undefined) return this.retrying;
    return first.then((ok) => (ok && !this.hasKid(kid) ? (this.retryForKid(kid) ?? ok) : ok));
  }

  /** One refetch for an unknown kid, without the retries: the shared fetch, a new one past the cool-down, or undefined. */
  refetchOnDemand(): Promise<boolean> | undefined {
    return this.refresher.runOnDemand();
  }

  /** The retries in progress after a refetch that lacked a kid, if any. */
  get retries(): Promise<boolean> | undefined {
    return this.retrying;
  }

  /**
   * The bounded retries after a refetch that lacked `kid` (UNKNOWN_KID_RETRY_DELAYS_MS), shared: a call
   * while a chain runs joins it. At most one chain starts per cool-down (undefined otherwise), so tokens
   * that keep arriving while a retry fetch is in flight cannot keep the retries going.
   */
  retryForKid(kid: string): Promise<boolean> | undefined {
    if (this.retrying !== undefined) return this.retrying;
    const now = this.options.now();
    if (now - this.retriedAt < this.options.cooldownMs) return undefined;
    this.retriedAt = now;
    const chain = this.retriesFor(kid);
    this.retrying = chain;
    void chain.finally(() => {
      if (this.retrying === chain) this.retrying = undefined;
    });
    return chain;
  }

  private async retriesFor(kid: string): Promise<boolean> {
    let ok = false;
    for (const delay of UNKNOWN_KID_RETRY_DELAYS_MS) {
      if (this.closed) break;
      await sleep(delay);
      ok = await this.refresher.run();
      if (!ok || this.hasKid(kid)) break;
    }
    return ok;
  }

  hasKid(kid: string): boolean {
    return this.keys.some((k) => k.kid === kid);
  }

  /**
   * Follows a key set that moved (a new `jwks_uri` from discovery): fetches `url` after the fetch in
   * flight, as the shared fetch, and switches to it only when it serves a usable key set; otherwise the
   * old URL and its last good keys stay. Resolves to whether the keys now come from `url`.
   */
  moveTo(url: string): Promise<boolean> {
    if (url === this.url) return Promise.resolve(true);
    return this.refresher.after(() => this.fetchOnce(url));
  }

  close(): void {
    this.closed = true;
    this.refresher.close();
  }

  private async fetchOnce(url: string): Promise<FetchOutcome> {
    const { logger } = this.options;
    try {
      const fetched = await fetchJson(url, this.options.timeoutMs);
      const keys = this.keysOf(fetched.value, url);
      if (keys.length === 0) throw new Error('the key set has no usable key');
      this.lastSuccessAt = this.options.now();
      this.options.onFetch('ok');
      if (url !== this.url) {
        logger.info({ jwks: url, previous: this.url }, 'auth: key set URL changed');
        this.url = url;
      }
      if (fetched.text !== this.lastText) {
        this.lastText = fetched.text;
        this.keys = keys;
        this.options.onChange(keys);
        logger.info({ jwks: url, keys: keys.map((k) => k.kid ?? '(no kid)') }, 'auth: key set loaded');
      }
      return { cacheControl: fetched.cacheControl };
    } catch (error) {
      this.lastProblem = (error as Error).message;
      this.options.onFetch('error');
      logger.warn({ jwks: url, problem: this.lastProblem, keptKeys: this.keys.length, keptUrl: this.url }, 'auth: key set fetch failed; keeping the last good keys');
      return false;
    }
  }

  private keysOf(document: unknown, url: string): VerificationKey[] {
    const list = (document as { keys?: unknown } | null)?.keys;
    if (typeof document !== 'object' || document === null || !Array.isArray(list)) throw new Error('not a JWK Set (no "keys" array)');
    const keys: VerificationKey[] = [];
    for (const jwk of list) {
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) continue;
      const result = keyFromJwk(jwk as Record<string, unknown>, this.options.algorithms, url);
      const kid = (jwk as { kid?: unknown }).kid;
      if ('refused' in result) this.options.logger.warn({ jwks: url, kid, problem: result.refused }, 'auth: key refused');
      else if ('ignored' in result) this.options.logger.debug({ jwks: url, kid, problem: result.ignored }, 'auth: key ignored');
      else keys.push(result.key);
    }
    const unique = dropDuplicateKids(keys);
    if (unique.duplicates.length > 0) this.options.logger.warn({ jwks: url, kids: unique.duplicates }, 'auth: keys with a duplicate kid refused');
    return unique.keys;
  }
}
