/**
 * Prometheus gauges of the revocation feed, in the auth registry (merged into the gateway's /metrics):
 * whether this process's feed is current, and how many revocations it holds. Read when scraped; the
 * live feed of the current generation registers itself and unregisters when it closes.
 */
import { Gauge } from 'prom-client';
import { authMetricsRegistry } from '../metrics.js';
import type { RevocationList } from './revocation-list.js';

const lists = new Set<RevocationList>();

new Gauge({
  name: 'gatehouse_revocation_feed_current',
  help: 'Whether the revocation feed is connected and caught up (1) or not (0: on_unavailable applies).',
  registers: [authMetricsRegistry],
  collect() {
    this.reset();
    for (const list of lists) this.set(list.isCurrent ? 1 : 0);
  },
});

new Gauge({
  name: 'gatehouse_revocation_entries',
  help: 'Revoked users and token ids this process holds (dropped once every token they deny has expired).',
  registers: [authMetricsRegistry],
  collect() {
    this.reset();
    for (const list of lists) this.set(list.size);
  },
});

export function trackRevocationList(list: RevocationList): void {
  lists.add(list);
}

export function untrackRevocationList(list: RevocationList): void {
  lists.delete(list);
}
