/**
 * The refresh discipline shared by the remote key documents (the JWKS and the OIDC discovery
 * document): one fetch at a time with every caller sharing it (single-flight), a fetch on demand at
 * most once per cool-down, and a background timer — after a success the document's cache lifetime
 * (Cache-Control within [min_age, max_age]), after a failure the cool-down (at least 1 s).
 */
import { cacheLifetimeMs } from './http-json.js';

export interface RefresherOptions {
  readonly minAgeMs: number;
  readonly maxAgeMs: number;
  readonly cooldownMs: number;
  readonly now: () => number;
}

/** Outcome of one fetch: `cacheControl` (a header value or null) on success, false on failure. */
export type FetchOutcome = { readonly cacheControl: string | null } | false;

export class Refresher {
  private lastAttemptAt = -Infinity;
  private inflight: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `fetch` is the background and on-demand fetch; it never rejects. */
  constructor(
    private readonly options: RefresherOptions,
    private readonly fetch: () => Promise<FetchOutcome>,
  ) {}

  /** The shared fetch: the one in flight, or a new one. */
  run(): Promise<boolean> {
    return this.inflight ?? this.track(() => this.fetch());
  }

  /** The fetch in flight, a new one when the cool-down since the last attempt has passed, or undefined. */
  runOnDemand(): Promise<boolean> | undefined {
    if (this.inflight !== undefined) return this.inflight;
    if (this.options.now() - this.lastAttemptAt < this.options.cooldownMs) return undefined;
    return this.run();
  }

  /** Runs `task` after the fetch in flight (if any), as the new fetch in flight. */
  after(task: () => Promise<FetchOutcome>): Promise<boolean> {
    const before = this.inflight;
    return this.track(async () => {
      if (before !== undefined) await before;
      return task();
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private track(task: () => Promise<FetchOutcome>): Promise<boolean> {
    this.lastAttemptAt = this.options.now();
    const flight: Promise<boolean> = task().then((outcome) => {
      if (this.inflight === flight) this.inflight = undefined;
      if (outcome === false) this.schedule(Math.max(this.options.cooldownMs, 1_000));
      else this.schedule(cacheLifetimeMs(outcome.cacheControl, this.options.minAgeMs, this.options.maxAgeMs));
      return outcome !== false;
    });
    this.inflight = flight;
    return flight;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delayMs);
    this.timer.unref();
  }
}
