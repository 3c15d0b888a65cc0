/** Where a rate limit keeps its counters: this process (local-store.ts) or a shared Redis (redis-store.ts). */
import type { WindowVerdict } from './window.js';

export interface RateStore {
  /** Counts one request for `key` if the limit admits it. A promise rejects when the store cannot answer. */
  hit(key: string, now: number): WindowVerdict | Promise<WindowVerdict>;
}
