/**
 * Opt-in stall recording for latency work: with `GATEHOUSE_LOOP_STATS=<directory>` set, a gateway process
 * (each cluster worker, or the single process) records its event loop's delay (`monitorEventLoopDelay`,
 * 1 ms resolution) and every GC pause (`PerformanceObserver` 'gc'), and writes them at exit to
 * `<directory>/loop-<pid>.json`. Unset (the default), nothing is started: no cost.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

export interface LoopStats {
  readonly pid: number;
  readonly seconds: number;
  /** Event-loop delay in ms: percentiles, max, and the count of samples (one per ms of resolution). */
  readonly loopDelay: { p50: number; p99: number; p999: number; max: number; mean: number; samples: number };
  /** GC pauses: count, total and max in ms, and the count by kind (minor, major, incremental, weakcb). */
  readonly gc: { count: number; totalMs: number; maxMs: number; p99Ms: number; byKind: Record<string, number> };
}

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export const LOOP_STATS_ENV = 'GATEHOUSE_LOOP_STATS';

/** Starts recording when the env variable names a directory; returns the writer (also run at exit) or undefined. */
export function startLoopStats(env: NodeJS.ProcessEnv = process.env): (() => LoopStats) | undefined {
  const dir = env[LOOP_STATS_ENV];
  if (dir === undefined || dir === '') return undefined;
  const started = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const pauses: number[] = [];
  const byKind: Record<string, number> = {};
  const take = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      pauses.push(entry.duration);
      const kind = KINDS[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
  };
  const observer = new PerformanceObserver((list) => take(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  let written = false;
  const write = (): LoopStats => {
    take(observer.takeRecords()); // entries not yet delivered to the callback
    const sorted = [...pauses].sort((a, b) => a - b);
    const stats: LoopStats = {
      pid: process.pid,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      loopDelay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), p999: ms(delay.percentile(99.9)), max: ms(delay.max), mean: ms(delay.mean), samples: delay.count },
      gc: {
        count: pauses.length,
        totalMs: Math.round(pauses.reduce((a, b) => a + b, 0) * 100) / 100,
        maxMs: Math.round((sorted.at(-1) ?? 0) * 100) / 100,
        p99Ms: Math.round((sorted[Math.floor(sorted.length * 0.99)] ?? 0) * 100) / 100,
        byKind,
      },
    };
    if (!written) {
      written = true;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `loop-${process.pid}.json`), JSON.stringify(stats) + '\n');
    }
    return stats;
  };
  process.once('exit', () => write());
  return write;
}
