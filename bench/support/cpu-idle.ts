/**
 * How idle the load side's CPUs stayed during a measured window, from /proc/stat sampled every 250 ms:
 * wrk2 does not report its own lateness, and a generator sharing a saturated core with the upstream
 * lags without saying so, so the latency suite flags a row whose load CPUs had (almost) no idle time.
 */
import { readFileSync } from 'node:fs';

interface Sample {
  readonly t: number;
  /** Per CPU: [idle + iowait jiffies, total jiffies]. */
  readonly cpus: Map<number, [number, number]>;
}

function read(): Sample {
  const cpus = new Map<number, [number, number]>();
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+) (.*)$/.exec(line);
      if (m === null) continue;
      const v = (m[2] as string).trim().split(/\s+/).map(Number);
      cpus.set(Number(m[1]), [(v[3] ?? 0) + (v[4] ?? 0), v.reduce((a, b) => a + b, 0)]);
    }
  } catch {
    // no /proc: no samples, no verdict
  }
  return { t: Date.now(), cpus };
}

export interface IdleSampler {
  /** The lowest idle share (0..100) among `cpus` between the samples nearest inside [from, to]; undefined when unknown. */
  idlePercent(cpus: readonly number[], from: number, to: number): number | undefined;
  stop(): void;
}

export function sampleIdle(): IdleSampler {
  const samples: Sample[] = [read()];
  const timer = setInterval(() => samples.push(read()), 250);
  timer.unref();
  return {
    idlePercent(cpus, from, to) {
      const inside = samples.filter((s) => s.t >= from && s.t <= to);
      const a = inside[0];
      const b = inside.at(-1);
      if (cpus.length === 0 || a === undefined || b === undefined || b.t - a.t < 500) return undefined;
      let min = 100;
      for (const cpu of cpus) {
        const [idle0, total0] = a.cpus.get(cpu) ?? [0, 0];
        const [idle1, total1] = b.cpus.get(cpu) ?? [0, 0];
        if (total1 <= total0) return undefined;
        min = Math.min(min, (100 * (idle1 - idle0)) / (total1 - total0));
      }
      return Math.round(min * 10) / 10;
    },
    stop: () => clearInterval(timer),
  };
}
