/**
 * Prometheus metrics of JWT authorization, in their own registry (`authMetricsRegistry`) so the
 * gateway's /metrics can merge it with its own. Created once per process; policies rebuilt on reload
 * reuse the same series (labelled by policy name). Hot-path counters are bound to their labels once.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { DenyReason } from './reasons.js';

export const authMetricsRegistry = new Registry();

const decisions = new Counter({
  name: 'gatehouse_auth_decisions_total',
  help: 'Authorization decisions by policy, result (allow/deny) and reason (OK or the deny reason).',
  labelNames: ['policy', 'result', 'reason'] as const,
  registers: [authMetricsRegistry],
});

const cacheLookups = new Counter({
  name: 'gatehouse_auth_cache_lookups_total',
  help: 'Verified-token cache lookups by policy and result (hit, negative_hit, miss).',
  labelNames: ['policy', 'result'] as const,
  registers: [authMetricsRegistry],
});

const keyFetches = new Counter({
  name: 'gatehouse_auth_key_fetches_total',
  help: 'Remote key set (JWKS) fetches by policy and result (ok, error).',
  labelNames: ['policy', 'result'] as const,
  registers: [authMetricsRegistry],
});

/** Live key sources report their age when scraped. */
const keyAgeSources = new Map<object, { policy: string; ageSeconds: () => number }>();

new Gauge({
  name: 'gatehouse_auth_key_age_seconds',
  help: 'Seconds since the key set of a policy was last loaded (file read or successful JWKS fetch).',
  labelNames: ['policy'] as const,
  registers: [authMetricsRegistry],
  collect() {
    this.reset();
    for (const source of keyAgeSources.values()) this.set({ policy: source.policy }, source.ageSeconds());
  },
});

interface Inc {
  inc(): void;
}

/** The metrics of one policy, with label sets bound up front. */
export class PolicyMetrics {
  readonly allow: Inc;
  readonly cacheHit: Inc;
  readonly cacheNegativeHit: Inc;
  readonly cacheMiss: Inc;
  readonly fetchOk: Inc;
  readonly fetchError: Inc;
  private readonly denies = new Map<DenyReason, Inc>();

  constructor(private readonly policy: string) {
    this.allow = decisions.labels(policy, 'allow', 'OK');
    this.cacheHit = cacheLookups.labels(policy, 'hit');
    this.cacheNegativeHit = cacheLookups.labels(policy, 'negative_hit');
    this.cacheMiss = cacheLookups.labels(policy, 'miss');
    this.fetchOk = keyFetches.labels(policy, 'ok');
    this.fetchError = keyFetches.labels(policy, 'error');
  }

  deny(reason: DenyReason): void {
    let counter = this.denies.get(reason);
    if (counter === undefined) {
      counter = decisions.labels(this.policy, 'deny', reason);
      this.denies.set(reason, counter);
    }
    counter.inc();
  }

  trackKeyAge(owner: object, ageSeconds: () => number): void {
    keyAgeSources.set(owner, { policy: this.policy, ageSeconds });
  }

  untrackKeyAge(owner: object): void {
    keyAgeSources.delete(owner);
  }
}
