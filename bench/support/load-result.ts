/**
 * What every load generator of the latency suite reports for one measured window, whichever drove it —
 * the Node open-loop client (bench/support/open-loop.ts), wrk2 (wrk2.ts) or h2load at a constant rate
 * (h2load-rate.ts) — so bench/latency.ts prints and compares rows without knowing which one ran.
 */
export type Generator = 'node' | 'wrk2' | 'h2load';

export interface LoadResult {
  readonly generator: Generator;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Answers recorded in the measured window, and how many the rate asked for (rate × window). */
  readonly completed: number;
  readonly expected: number;
  /** Non-2xx answers, socket errors, timeouts, requests left unanswered. */
  readonly errors: number;
  /** The generator's worst lateness in sending a due request (ms), when it can tell. */
  readonly clientLagMaxMs: number | undefined;
  /** Lag above this means the row measured the generator, not the target (its own send granularity + 10 ms). */
  readonly lagLimitMs: number;
  /** The lowest idle share (%) of the load side's CPUs over the window, when pinned (set by the suite). */
  readonly loadCpuIdlePercent?: number | undefined;
  /** The measured window in wall-clock ms since the epoch (for the targets' loop-stats windows). */
  readonly measuredFrom: number;
  readonly measuredTo: number;
}

/** Below this idle share the load CPUs were saturated: the generator or the upstream queued, not the target. */
export const LOAD_IDLE_MIN_PERCENT = 10;

/** A row's flags: the generator lagged its schedule or had no CPU to spare, or fewer answers came than the rate asked for. */
export function flags(r: LoadResult): string[] {
  const out: string[] = [];
  if (r.clientLagMaxMs !== undefined && r.clientLagMaxMs > r.lagLimitMs) out.push('CLIENT LAGGED');
  if (r.loadCpuIdlePercent !== undefined && r.loadCpuIdlePercent < LOAD_IDLE_MIN_PERCENT) out.push('LOAD CPU BUSY');
  if (r.completed < 0.99 * r.expected) out.push(`SHORT ${r.completed}/${r.expected}`);
  return out;
}
