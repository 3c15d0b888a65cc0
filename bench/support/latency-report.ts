/**
 * The latency suite's rows and table: medians over runs per (workload, basis, load, target), the
 * Gatehouse ÷ HAProxy ratios, and the stall line. Loop delay and GC pauses are taken only from the
 * loop-stats windows that overlap the row's measured interval (src/gateway/observe/loop-stats.ts), so
 * startup and the generator's warm-up do not count; the whole run's loop-delay max is shown beside them.
 */
import type { LoopStats } from '../../src/gateway/observe/index.js';
import type { TargetName, Workload } from './latency-targets.js';
import { flags, type LoadResult } from './load-result.js';

/** Whose closed-loop maximum a row's rate is a share of. */
export type Basis = 'haproxy' | 'own';

export interface Row extends LoadResult {
  readonly workload: Workload;
  readonly load: number;
  readonly rate: number;
  readonly target: TargetName;
  /** The maximum the rate is a share of: HAProxy's, or the target's own. */
  readonly of: TargetName;
  readonly loop: LoopStats[];
}

export interface MeasuredStalls {
  readonly loopMaxMs: number;
  readonly gcMaxMs: number;
  readonly gcCount: number;
  /** The whole run's loop-delay max (startup and warm-up included), for comparison. */
  readonly wholeLoopMaxMs: number;
}

/**
 * The worst worker's stalls over the windows that overlap [from, to]: a window straddling an edge
 * counts (at most one second of steady warm-up load at each end), so no stall a measured request could
 * have met is left out; startup lies further back than the warm-up and stays out.
 */
export function measuredStalls(loop: LoopStats[], from: number, to: number): MeasuredStalls {
  let loopMaxMs = 0;
  let gcMaxMs = 0;
  let gcCount = 0;
  for (const worker of loop) {
    for (const w of worker.windows ?? []) {
      if (w.end <= from || w.start >= to) continue;
      loopMaxMs = Math.max(loopMaxMs, w.loopDelayMaxMs);
      gcMaxMs = Math.max(gcMaxMs, w.gcMaxMs);
      gcCount += w.gcCount;
    }
  }
  return { loopMaxMs, gcMaxMs, gcCount, wholeLoopMaxMs: Math.max(0, ...loop.map((s) => s.loopDelay.max)) };
}

export const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const TARGETS: TargetName[] = ['gatehouse', 'haproxy'];

/** One line per run, as it finishes. */
export function rowLine(r: Row, run: number, wrapped: boolean): string {
  const lag = r.clientLagMaxMs === undefined ? 'client lag n/a' : `client lag ${f(r.clientLagMaxMs)} ms`;
  const marks = [...flags(r), ...(wrapped ? ['tokens WRAPPED'] : [])];
  let loop = '';
  if (r.target === 'gatehouse') {
    const s = measuredStalls(r.loop, r.measuredFrom, r.measuredTo);
    loop = r.loop.length === 0 ? '; loop stats not written' : `; measured window: loop delay max ${f(s.loopMaxMs)} ms (whole run ${f(s.wholeLoopMaxMs)}), GC max ${f(s.gcMaxMs)} ms (${s.gcCount} pauses)`;
  }
  const idle = r.loadCpuIdlePercent === undefined ? '' : `, load CPUs ${r.loadCpuIdlePercent}% idle`;
  return `  run ${run} ${String(r.load * 100).padStart(3)}% of ${r.of === 'haproxy' ? "HAProxy's" : 'own'} max ${r.target.padEnd(9)} ${r.rate} req/s [${r.generator}]: p50 ${f(r.p50Ms)} p99 ${f(r.p99Ms)} p99.9 ${f(r.p999Ms)} max ${f(r.maxMs)} ms, errors ${r.errors}, ${r.completed}/${r.expected} answered, ${lag}${idle}${loop}${marks.length > 0 ? ` (${marks.join(', ')})` : ''}`;
}

export function report(rows: Row[], workloads: Workload[], bases: Basis[], loads: number[], runs: number, seconds: number): void {
  console.log(`\nmedians of ${runs} runs (latency in ms — from the scheduled send with wrk2 and the Node client, from the actual send with h2load; loop delay and GC over the measured window only, worst worker):`);
  console.log('| workload | basis | load | target | generator | rate req/s | p50 | p99 | p99.9 | max | errors | client lag max | load CPUs idle | loop delay max (whole run) | GC pause max (count) |');
  console.log('|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const ratios: string[] = [];
  for (const w of workloads) {
    for (const basis of bases) {
      for (const l of loads) {
        const m: Partial<Record<TargetName, { p99: number; p999: number }>> = {};
        for (const t of TARGETS) {
          const of: TargetName = basis === 'own' ? t : 'haproxy';
          const list = rows.filter((r) => r.workload === w && r.load === l && r.target === t && r.of === of);
          if (list.length === 0) continue;
          const med = (get: (r: Row) => number) => median(list.map(get));
          m[t] = { p99: med((r) => r.p99Ms), p999: med((r) => r.p999Ms) };
          const lags = list.map((r) => r.clientLagMaxMs).filter((v) => v !== undefined);
          let loop = '–';
          let gc = '–';
          if (t === 'gatehouse') {
            const s = list.map((r) => measuredStalls(r.loop, r.measuredFrom, r.measuredTo));
            const none = list.every((r) => r.loop.length === 0);
            loop = none ? 'not written' : `${f(median(s.map((x) => x.loopMaxMs)))} (${f(median(s.map((x) => x.wholeLoopMaxMs)))})`;
            gc = none ? 'not written' : `${f(median(s.map((x) => x.gcMaxMs)))} (${median(s.map((x) => x.gcCount))})`;
          }
          const flagged = list.filter((r) => flags(r).length > 0).length;
          const idles = list.map((r) => r.loadCpuIdlePercent).filter((v) => v !== undefined);
          const idle = idles.length === 0 ? 'n/a' : `${median(idles)}%`;
          console.log(`| ${w} | ${basis === 'own' ? 'own max' : "HAProxy's max"} | ${l * 100}% | ${t} | ${(list[0] as Row).generator} | ${med((r) => r.rate)} | ${f(med((r) => r.p50Ms))} | ${f(med((r) => r.p99Ms))} | ${f(med((r) => r.p999Ms))} | ${f(med((r) => r.maxMs))} | ${list.reduce((n, r) => n + r.errors, 0)} | ${lags.length === 0 ? 'n/a' : f(median(lags))}${flagged > 0 ? ` (${flagged} flagged)` : ''} | ${idle} | ${loop} | ${gc} |`);
        }
        const g = m.gatehouse;
        const h = m.haproxy;
        if (g !== undefined && h !== undefined) {
          ratios.push(`  ${w} at ${l * 100}% of ${basis === 'own' ? 'each one\'s own' : "HAProxy's"} maximum: p99 ${(g.p99 / h.p99).toFixed(2)}× HAProxy's (target ≤ 1${l === 0.8 && basis === 'haproxy' ? '' : ', set at 80 % of HAProxy\'s'}), p99.9 ${(g.p999 / h.p999).toFixed(2)}× (target ≤ 2)`);
        }
      }
    }
  }
  console.log('\nratios (Gatehouse ÷ HAProxy, medians):');
  for (const line of ratios) console.log(line);
  const stalls = rows.filter((r) => r.target === 'gatehouse').map((r) => measuredStalls(r.loop, r.measuredFrom, r.measuredTo));
  const maxLoop = Math.max(0, ...stalls.map((s) => s.loopMaxMs));
  const maxGc = Math.max(0, ...stalls.map((s) => s.gcMaxMs));
  const lags = rows.map((r) => r.clientLagMaxMs).filter((v) => v !== undefined);
  const flagged = rows.filter((r) => flags(r).length > 0).length;
  console.log(`\nstalls: max event-loop delay ${f(maxLoop)} ms, max GC pause ${f(maxGc)} ms over every Gatehouse worker's measured windows of every ${seconds} s run — target "no single stall above 20 ms in a 60 s run": ${maxLoop <= 20 && maxGc <= 20 ? 'met' : 'NOT met'}${seconds < 60 ? ` (these runs were ${seconds} s)` : ''}; ${lags.length === 0 ? 'no generator here reports its lag' : `the generators' worst lag was ${f(Math.max(...lags))} ms`}${flagged > 0 ? `, and ${flagged} row(s) are flagged (generator lagged, answers short or load CPUs busy): those tails are not only the targets'` : ''}`);
}
