/**
 * Two helpers that make a benchmark on a shared machine easier to read:
 *  - CPU time of a target's whole process tree (user + system, cluster workers and nginx workers included),
 *    so a suite can print CPU µs per request: it depends much less on what else runs than requests/s;
 *  - optional CPU pinning (GATEHOUSE_BENCH_PIN=1): every target under test runs on CPUs 0..cores-1 and the
 *    load side (wrk and the nginx upstream) on the remaining CPUs, with `taskset`, applied identically to
 *    every target. It keeps a target from competing with its own load generator for a core; it needs more
 *    CPUs than `cores` and is refused (off, with a message) otherwise.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { findExecutable } from '../../test/support/services.js';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime in seconds of a process and all its descendants (0 when /proc is not there). */
export function treeCpuSeconds(root: number): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    total += ticks.get(pid) ?? 0;
    for (const [child, parent] of parents) if (parent === pid) stack.push(child);
  }
  return total / CLOCK_TICKS;
}

export interface Pinning {
  /** Human-readable description for the suite's header line. */
  readonly description: string;
  /** The CPUs of the load side (wrk, the upstream) when pinned; empty when not. */
  readonly loadCpus: readonly number[];
  /** [command, args] to start a target under test. */
  target(command: string, args: string[]): [string, string[]];
  /** [command, args] to start wrk or the upstream. */
  load(command: string, args: string[]): [string, string[]];
}

const NONE: Pinning = {
  description: 'no CPU pinning (targets, wrk and the upstream share every core)',
  loadCpus: [],
  target: (command, args) => [command, args],
  load: (command, args) => [command, args],
};

/** `always`: pin whenever the machine allows it, whatever GATEHOUSE_BENCH_PIN says (bench:idp). */
export function pinning(cores: number, options: { always?: boolean } = {}): Pinning {
  if (options.always !== true && process.env.GATEHOUSE_BENCH_PIN !== '1') return NONE;
  const cpus = availableParallelism();
  const taskset = findExecutable('taskset');
  if (taskset === undefined || cores >= cpus) {
    console.log(`CPU pinning off: ${taskset === undefined ? 'taskset is not installed' : `${cores} core(s) per target leave no CPU for wrk and the upstream (${cpus} CPUs)`}`);
    return NONE;
  }
  const targetCpus = cores === 1 ? '0' : `0-${cores - 1}`;
  const loadCpus = cores === cpus - 1 ? String(cores) : `${cores}-${cpus - 1}`;
  return {
    description: `pinned with taskset: every target on CPU ${targetCpus}, wrk and the upstream on CPU ${loadCpus}`,
    loadCpus: Array.from({ length: cpus - cores }, (_, i) => cores + i),
    target: (command, args) => [taskset, ['-c', targetCpus, command, ...args]],
    load: (command, args) => [taskset, ['-c', loadCpus, command, ...args]],
  };
}
