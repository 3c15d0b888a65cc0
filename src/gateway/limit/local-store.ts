/**
 * Counters in this process: exact for one process, which is why a config with several workers must
 * use the Redis store (config/load.ts and the cluster refuse the mix). At most `maxKeys` keys are
 * tracked; the least recently seen is forgotten first (a Map keeps insertion order, and every hit
 * moves its key to the end).
 */
import type { RateStore } from './store.js';
import { decide, windowOf, type WindowVerdict } from './window.js';

interface Counter {
  index: number;
  previous: number;
  current: number;
}

export class LocalStore implements RateStore {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly requests: number,
    private readonly period: number,
    private readonly maxKeys: number,
  ) {}

  /** Same counting rules: a reload may hand these counters to the new generation's limit. */
  sameRules(other: LocalStore): boolean {
    return this.requests === other.requests && this.period === other.period && this.maxKeys === other.maxKeys;
  }

  get size(): number {
    return this.counters.size;
  }

  hit(key: string, now: number): WindowVerdict {
    const { index, elapsed } = windowOf(now, this.period);
    let counter = this.counters.get(key);
    if (counter === undefined) counter = { index, previous: 0, current: 0 };
    else {
      this.counters.delete(key);
      if (counter.index !== index) {
        counter.previous = counter.index === index - 1 ? counter.current : 0;
        counter.current = 0;
        counter.index = index;
      }
    }
    const verdict = decide(counter, elapsed, this.period, this.requests);
    if (verdict.allowed) counter.current++;
    this.counters.set(key, counter);
    if (this.counters.size > this.maxKeys) this.counters.delete(this.counters.keys().next().value as string);
    return verdict;
  }
}
