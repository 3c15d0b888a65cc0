/**
 * Opt-in stall recording for latency work: with `GATEHOUSE_LOOP_STATS=<directory>` set, a gateway process
 * (each cluster worker, or the single process) records its event loop's delay (`monitorEventLoopDelay`,
 * 1 ms resolution) and every GC pause (`PerformanceObserver` 'gc'), and writes them at exit to
 * `<directory>/loop-<pid>.json`. Unset (the default), nothing is started: no cost.
 *
 * The file is one JSON object (`LoopStats`):
 *   - `pid`, `seconds` (how long it recorded), `loopDelay` and `gc`: the whole run, startup included;
 *   - `windows`: one entry per second of the run, oldest first (the last 3,600 kept), each
 *     `{ start, end, loopDelayMaxMs, gcMaxMs, gcCount }` with `start`/`end` in wall-clock ms since the
 *     epoch (`Date.now()`), so a benchmark can keep only the windows of its measured interval: the
 *     whole-run maxima include startup and warm-up, which no measured request saw.
 * A window is closed by a 1 s timer on the same loop, so a stall delays its window's end and is counted
 * in the window where it ended (a loop delay is observed when the late timer finally runs); a GC pause
 * counts in the window in which its entry was taken, at most one window after the one it happened in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

export interface LoopWindow {
  /** Wall-clock ms since the epoch. */
  readonly start: number;
  readonly end: number;
  readonly loopDelayMaxMs: number;
  readonly gcMaxMs: number;
  readonly gcCount: number;
}

export interface LoopStats {
  readonly pid: number;
  readonly seconds: number;
  /** Event-loop delay in ms: percentiles, max, and the count of samples (one per ms of resolution). */
  readonly loopDelay: { p50: number; p99: number; p999: number; max: number; mean: number; samples: number };
  /** GC pauses: count, total and max in ms, and the count by kind (minor, major, incremental, weakcb). */
  readonly gc: { count: number; totalMs: number; maxMs: number; p99Ms: number; byKind: Record<string, number> };
  /** Per-second windows, oldest first (see the module comment). */
  readonly windows: LoopWindow[];
}

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export const LOOP_STATS_ENV = 'GATEHOUSE_LOOP_STATS';
/** An hour of windows: a gateway left running with the variable set does not grow without bound. */
const MAX_WINDOWS = 3_600;

const ms = (ns: number) => Math.round(ns / 1e4) / 100;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Starts recording when the env variable names a directory; returns the writer (also run at exit) or undefined. */
export function startLoopStats(env: NodeJS.ProcessEnv = process.env): (() => LoopStats) | undefined {
  const dir = env[LOOP_STATS_ENV];
  if (dir === undefined || dir === '') return undefined;
  const started = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // a second monitor, reset every window: the whole-run one above must keep its percentiles
  const windowDelay = monitorEventLoopDelay({ resolution: 1 });
  windowDelay.enable();
  const pauses: number[] = [];
  const byKind: Record<string, number> = {};
  const windows: LoopWindow[] = [];
  let windowStart = Date.now();
  let windowPauses: number[] = [];
  const take = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      pauses.push(entry.duration);
      windowPauses.push(entry.duration);
      const kind = KINDS[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
  };
  const observer = new PerformanceObserver((list) => take(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const closeWindow = () => {
    take(observer.takeRecords());
    const end = Date.now();
    windows.push({ start: windowStart, end, loopDelayMaxMs: windowDelay.count > 0 ? ms(windowDelay.max) : 0, gcMaxMs: round2(Math.max(0, ...windowPauses)), gcCount: windowPauses.length });
    if (windows.length > MAX_WINDOWS) windows.shift();
    windowDelay.reset();
    windowPauses = [];
    windowStart = end;
  };
  const ticker = setInterval(closeWindow, 1000);
  ticker.unref();
  let written: LoopStats | undefined;
  const write = (): LoopStats => {
    if (written !== undefined) return written;
    clearInterval(ticker);
    closeWindow(); // the last, partial window
    const sorted = [...pauses].sort((a, b) => a - b);
    written = {
      pid: process.pid,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      loopDelay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), p999: ms(delay.percentile(99.9)), max: ms(delay.max), mean: ms(delay.mean), samples: delay.count },
      gc: {
        count: pauses.length,
        totalMs: round2(pauses.reduce((a, b) => a + b, 0)),
        maxMs: round2(sorted.at(-1) ?? 0),
        p99Ms: round2(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
        byKind,
      },
      windows,
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `loop-${process.pid}.json`), JSON.stringify(written) + '\n');
    return written;
  };
  process.once('exit', () => write());
  return write;
}
