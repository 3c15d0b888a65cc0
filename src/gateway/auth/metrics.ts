/**
 * Prometheus metrics of JWT authorization, in their own registry (`authMetricsRegistry`) so the
 * gateway's /metrics can merge it with its own. The request path only bumps plain numbers (no label
 * hashing per request); the prom-client counters read them when scraped. Totals are kept per policy
 * name for the life of the process, so a policy rebuilt on reload continues its series.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { DiscoveryResult } from './keys/discovery.js';
import type { DenyReason } from './reasons.js';

export const authMetricsRegistry = new Registry();

interface Totals {
  allow: number;
  readonly deny: Map<DenyReason, number>;
  cacheHit: number;
  cacheNegativeHit: number;
  cacheMiss: number;
  cacheAdmitted: number;
  cacheRejected: number;
  fetchOk: number;
  fetchError: number;
  readonly discovery: Map<DiscoveryResult, number>;
}

const totals = new Map<string, Totals>();

/** Live key sources report their age when scraped. */
const keyAgeSources = new Map<object, { policy: string; ageSeconds: () => number }>();

new Counter({
  name: 'gatehouse_auth_decisions_total',
  help: 'Authorization decisions by policy, result (allow/deny) and reason (OK or the deny reason).',
  labelNames: ['policy', 'result', 'reason'] as const,
  registers: [authMetricsRegistry],
  collect() {
    this.reset();
    for (const [policy, t] of totals) {
      if (t.allow > 0) this.inc({ policy, result: 'allow', reason: 'OK' }, t.allow);
      for (const [reason, n] of t.deny) this.inc({ policy, result: 'deny', reason }, n);
    }
  },
});

new Counter({
  name: 'gatehouse_auth_cache_lookups_total',
  help: 'Verified-token cache lookups by policy and result (hit, negative_hit, miss).',
  labelNames: ['policy', 'result'] as const,
  registers: [authMetricsRegistry],
  collect() {
    this.reset();
    for (const [policy, t] of totals) {
      if (t.cacheHit > 0) this.inc({ policy, result: 'hit' }, t.cacheHit);
      if (t.cacheNegativeHit > 0) this.inc({ policy, result: 'negative_hit' }, t.cacheNegativeHit);
      if (t.cacheMiss > 0) this.inc({ policy, result: 'miss' }, t.cacheMiss);
    }
  },
});

new Counter({
  name: 'gatehouse_auth_cache_admissions_total',
  help: 'Verified tokens seen before that were cached (admitted) or kept out because the cache was full and its least recently used entry was used at least as often (rejected), by policy.',
  labelNames: ['policy', 'result'] as const,
  registers: [authMetricsRegistry],
  collect() {
    this.reset();
    for (const [policy, t] of totals) {
      if (t.cacheAdmitted > 0) this.inc({ policy, result: 'admitted' }, t.cacheAdmitted);
      if (t.cacheRejected > 0) this.inc({ policy, result: 'rejected' }, t.cacheRejected);
    }
  },
});

new Counter({
  name: 'gatehouse_auth_key_fetches_total',
  help: 'Remote key set (JWKS) fetches by policy and result (ok, error).',
  labelNames: ['policy', 'result'] as const,
  registers: [authMetricsRegistry],
  collect() {
    this.reset();
    for (const [policy, t] of totals) {
      if (t.fetchOk > 0) this.inc({ policy, result: 'ok' }, t.fetchOk);
      if (t.fetchError > 0) this.inc({ policy, result: 'error' }, t.fetchError);
    }
  },
});

new Counter({
  name: 'gatehouse_auth_discovery_fetches_total',
  help: 'OIDC discovery document reads by policy and result (ok; error: not fetched or not JSON; invalid: another issuer or no http(s) jwks_uri).',
  labelNames: ['policy', 'result'] as const,
  registers: [authMetricsRegistry],
  collect() {
    this.reset();
    for (const [policy, t] of totals) for (const [result, n] of t.discovery) this.inc({ policy, result }, n);
  },
});

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

/** The counters of one policy name; the request path calls these methods. */
export class PolicyMetrics {
  private readonly t: Totals;
  private readonly policy: string;

  constructor(policy: string) {
    let t = totals.get(policy);
    if (t === undefined) {
      t = { allow: 0, deny: new Map(), cacheHit: 0, cacheNegativeHit: 0, cacheMiss: 0, cacheAdmitted: 0, cacheRejected: 0, fetchOk: 0, fetchError: 0, discovery: new Map() };
      totals.set(policy, t);
    }
    this.t = t;
    this.policy = policy;
  }

  allow(): void {
    this.t.allow++;
  }

  deny(reason: DenyReason): void {
    this.t.deny.set(reason, (this.t.deny.get(reason) ?? 0) + 1);
  }

  cacheHit(): void {
    this.t.cacheHit++;
  }

  cacheNegativeHit(): void {
    this.t.cacheNegativeHit++;
  }

  cacheMiss(): void {
    this.t.cacheMiss++;
  }

  /** A verified token seen before entered the cache (on a miss only: the hit path counts nothing more). */
  cacheAdmitted(): void {
    this.t.cacheAdmitted++;
  }

  /** A verified token seen before was kept out: the cache was full of tokens used at least as often. */
  cacheRejected(): void {
    this.t.cacheRejected++;
  }

  fetched(result: 'ok' | 'error'): void {
    if (result === 'ok') this.t.fetchOk++;
    else this.t.fetchError++;
  }

  discovered(result: DiscoveryResult): void {
    this.t.discovery.set(result, (this.t.discovery.get(result) ?? 0) + 1);
  }

  trackKeyAge(owner: object, ageSeconds: () => number): void {
    keyAgeSources.set(owner, { policy: this.policy, ageSeconds });
  }

  untrackKeyAge(owner: object): void {
    keyAgeSources.delete(owner);
  }
}
