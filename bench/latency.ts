/**
 * Latency benchmark (issue #21): constant-rate, open-loop load with coordinated-omission correction, so
 * a stall shows up in the tail instead of pausing the load generator (wrk's closed loop hides it).
 * For each workload — plain proxying, the seed's JWT rules with 1,000 reused tokens, with a distinct
 * token per request, and plain proxying over TLS with HTTP/2 — it first measures HAProxy's maximum
 * (wrk, or h2load for HTTP/2, closed loop), then runs Gatehouse and HAProxy side by side at 50 % and
 * 80 % of that rate with bench/support/open-loop-client.ts in its own process: p50/p99/p99.9/max from the
 * *scheduled* send time. Each Gatehouse worker's event-loop delay (max, p99) and GC pauses (max, count)
 * are recorded alongside (GATEHOUSE_LOOP_STATS), and a final line says whether any stall passed 20 ms.
 * The client reports its own worst lateness ("client lag"): when that is large the machine, not the
 * target, stalled and the run's tail says nothing about the target.
 *
 * Default layout: 1 core per target pinned to CPU 0, the client and the upstream on the others
 * (GATEHOUSE_BENCH_PIN=1 unless set to 0). Environment: GATEHOUSE_BENCH_RUNS (3), GATEHOUSE_BENCH_SECONDS
 * (20; 60 for the stall target), GATEHOUSE_BENCH_CORES (1), GATEHOUSE_BENCH_CONNECTIONS (50),
 * GATEHOUSE_BENCH_WORKLOADS (comma list, all), GATEHOUSE_BENCH_LOADS (0.5,0.8), GATEHOUSE_BENCH_DISTINCT (100000),
 * GATEHOUSE_BENCH_MAX (req/s: a cap on "the maximum", for when the Node client cannot generate HAProxy's
 * rate — on a 2-core machine the client shares its core with the upstream).
 * A row whose client lagged more than 10 ms behind its schedule is flagged: that row measured the client.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoopStats } from '../src/gateway/observe/index.js';
import { issueCertificate } from '../src/gateway/tls/local-ca.js';
import { findExecutable } from '../test/support/services.js';
import { HAPROXY } from '../test/gateway/auth/e2e/seed-setup.js';
import { pinning, type Pinning } from './support/cpu.js';
import { startLatencyTarget, type TargetName, type TargetSetup, type Workload } from './support/latency-targets.js';
import { runOpenLoop, type OpenLoopResult } from './support/open-loop.js';
import { makeTokens } from './support/tokens.js';
import { startUpstream } from './support/upstream.js';
import { parseWrk, runWrk } from './support/wrk.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const WORKLOADS: Workload[] = ['plain', 'jwt-reused', 'jwt-distinct', 'h2-tls'];
const TARGETS: TargetName[] = ['gatehouse', 'haproxy'];

function execOut(command: string, args: string[], seconds: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { timeout: (seconds + 30) * 1000, maxBuffer: 1 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout))));
}

/** HAProxy's closed-loop maximum for a workload, in requests/s. */
async function maximum(workload: Workload, port: number, seconds: number, connections: number, tokens: Record<string, string>, dir: string, pin: Pinning): Promise<number> {
  if (workload === 'h2-tls') {
    const [command, args] = pin.load('h2load', ['-c', String(connections), '-m', '1', '-t', '1', '-D', String(seconds), `https://127.0.0.1:${port}/`]);
    const out = await execOut(command, args, seconds);
    const rps = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out);
    if (rps === null) throw new Error(`cannot read h2load output:\n${out}`);
    return Number(rps[1]);
  }
  if (workload === 'plain') {
    const [command, args] = pin.load('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`]);
    return parseWrk(await execOut(command, args, seconds)).requestsPerSecond;
  }
  const tokensFile = tokens[workload] as string;
  return (await runWrk({ url: `http://127.0.0.1:${port}/`, tokensFile, connections, threads: 1, durationS: seconds, workDir: dir, wrap: pin.load })).requestsPerSecond;
}

interface Row extends OpenLoopResult {
  readonly workload: Workload;
  readonly load: number;
  readonly rate: number;
  readonly target: TargetName;
  readonly loop: LoopStats[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

export async function run(): Promise<void> {
  for (const tool of ['wrk', 'h2load', HAPROXY]) {
    if (findExecutable(tool) === undefined) return console.log(`latency benchmark SKIPPED: ${tool} is not installed`);
  }
  process.env.GATEHOUSE_BENCH_PIN ??= '1';
  const runs = env('GATEHOUSE_BENCH_RUNS', 3);
  const seconds = env('GATEHOUSE_BENCH_SECONDS', 20);
  const cores = env('GATEHOUSE_BENCH_CORES', 1);
  const connections = env('GATEHOUSE_BENCH_CONNECTIONS', 50);
  const loads = (process.env.GATEHOUSE_BENCH_LOADS ?? '0.5,0.8').split(',').map(Number);
  const workloads = (process.env.GATEHOUSE_BENCH_WORKLOADS?.split(',') ?? WORKLOADS) as Workload[];
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}; known: ${WORKLOADS.join(', ')}`);
  const warmup = 2;
  const fixedMax = env('GATEHOUSE_BENCH_MAX', 0);
  const pin = pinning(cores);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-latency-'));
  console.log(`latency benchmark: open-loop constant rate (coordinated-omission corrected), ${connections} connections, ${seconds}s (+${warmup}s warm-up) x ${runs} runs at ${loads.map((l) => `${l * 100}%`).join(' and ')} of HAProxy's maximum, ${cores} core(s) per target, ${pin.description}`);

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pubkey = join(dir, 'pubkey.pem');
  writeFileSync(pubkey, publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const ca = issueCertificate({ commonName: 'Bench CA' });
  const site = issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], issuer: ca });
  const tls = { cert: join(dir, 'site.pem'), key: join(dir, 'site.key'), combined: join(dir, 'site-haproxy.pem') };
  writeFileSync(tls.cert, site.cert);
  writeFileSync(tls.key, site.key, { mode: 0o600 });
  writeFileSync(tls.combined, site.cert + site.key, { mode: 0o600 });
  const tokens: Record<string, string> = {};
  const distinctCount = env('GATEHOUSE_BENCH_DISTINCT', 100_000);
  if (workloads.includes('jwt-reused')) writeFileSync((tokens['jwt-reused'] = join(dir, 'reused.txt')), (await makeTokens(1_000, privateKey, 'reused')).join('\n') + '\n');
  if (workloads.includes('jwt-distinct')) {
    console.log(`signing ${distinctCount} distinct tokens...`);
    writeFileSync((tokens['jwt-distinct'] = join(dir, 'distinct.txt')), (await makeTokens(distinctCount, privateKey, 'distinct')).join('\n') + '\n');
  }
  const upstream = await startUpstream(dir, pin.load);
  const setup: TargetSetup = { dir, upstream: upstream.address, cores, pin, pubkey, tls };
  const rows: Row[] = [];
  try {
    for (const workload of workloads) {
      const haproxy = await startLatencyTarget('haproxy', workload, setup);
      let max: number;
      try {
        await maximum(workload, haproxy.port, 1, connections, tokens, dir, pin);
        max = await maximum(workload, haproxy.port, 5, connections, tokens, dir, pin);
      } finally {
        await haproxy.stop();
      }
      console.log(`\n${workload}: HAProxy's maximum ${max.toFixed(0)} req/s (closed loop, ${connections} connections)${fixedMax > 0 ? `; GATEHOUSE_BENCH_MAX caps it at ${fixedMax} req/s` : ''}`);
      if (fixedMax > 0) max = Math.min(max, fixedMax);
      for (let r = 0; r < runs; r++) {
        for (const load of loads) {
          const rate = Math.max(1, Math.round(max * load));
          for (let k = 0; k < TARGETS.length; k++) {
            const target = TARGETS[(k + r) % TARGETS.length] as TargetName;
            const running = await startLatencyTarget(target, workload, setup);
            let measured: OpenLoopResult;
            try {
              measured = await runOpenLoop({
                protocol: workload === 'h2-tls' ? 'h2-tls' : 'http1', port: running.port, connections, rate, seconds, warmupSeconds: warmup,
                ...(tokens[workload] === undefined ? {} : { tokensFile: tokens[workload] }),
              }, pin.load);
            } finally {
              rows.push({ ...(measured! ?? {}), workload, load, rate, target, loop: await running.stop() });
            }
            const row = rows.at(-1) as Row;
            const wrapped = workload === 'jwt-distinct' && rate * (seconds + warmup) > distinctCount ? ' (tokens WRAPPED)' : '';
            console.log(`  run ${r + 1} ${String(load * 100).padStart(3)}% ${target.padEnd(9)} ${rate} req/s: p50 ${f(row.p50Ms)} p99 ${f(row.p99Ms)} p99.9 ${f(row.p999Ms)} max ${f(row.maxMs)} ms, errors ${row.errors + row.non2xx + row.unanswered}, client lag ${f(row.clientLagMaxMs)} ms${row.clientLagMaxMs > 10 ? ' (CLIENT LAGGED)' : ''}${loopText(row.loop)}${wrapped}`);
          }
        }
      }
    }
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  report(rows, workloads, loads, runs, seconds);
}

function loopText(loop: LoopStats[]): string {
  if (loop.length === 0) return '';  // HAProxy; a Gatehouse killed before it wrote its stats also lands here
  return `; loop delay max ${loop.map((l) => f(l.loopDelay.max)).join('/')} ms, GC max ${loop.map((l) => f(l.gc.maxMs)).join('/')} ms (${loop.map((l) => l.gc.count).join('/')} pauses)`;
}

function report(rows: Row[], workloads: Workload[], loads: number[], runs: number, seconds: number): void {
  console.log(`\nmedians of ${runs} runs (latency from the scheduled send time, ms):`);
  console.log('| workload | load | target | rate req/s | p50 | p99 | p99.9 | max | errors | client lag max | loop delay p99 / max (worst worker) | GC pause max (count) |');
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const pick = (w: Workload, l: number, t: TargetName) => rows.filter((r) => r.workload === w && r.load === l && r.target === t);
  const ratios: string[] = [];
  for (const w of workloads) {
    for (const l of loads) {
      const m: Record<string, Record<string, number>> = {};
      for (const t of TARGETS) {
        const list = pick(w, l, t);
        if (list.length === 0) continue;
        const med = (get: (r: Row) => number) => median(list.map(get));
        const worst = (get: (s: LoopStats) => number) => med((r) => Math.max(0, ...r.loop.map(get)));
        m[t] = { p99: med((r) => r.p99Ms), p999: med((r) => r.p999Ms) };
        const noStats = t === 'gatehouse' && list.every((r) => r.loop.length === 0);
        const loop = noStats ? 'not written' : t === 'gatehouse' ? `${f(worst((s) => s.loopDelay.p99))} / ${f(worst((s) => s.loopDelay.max))}` : '–';
        const gc = noStats ? 'not written' : t === 'gatehouse' ? `${f(worst((s) => s.gc.maxMs))} (${med((r) => r.loop.reduce((n, s) => n + s.gc.count, 0))})` : '–';
        console.log(`| ${w} | ${l * 100}% | ${t} | ${(list[0] as Row).rate} | ${f(med((r) => r.p50Ms))} | ${f(med((r) => r.p99Ms))} | ${f(med((r) => r.p999Ms))} | ${f(med((r) => r.maxMs))} | ${list.reduce((n, r) => n + r.errors + r.non2xx + r.unanswered, 0)} | ${f(med((r) => r.clientLagMaxMs))} | ${loop} | ${gc} |`);
      }
      const g = m.gatehouse;
      const h = m.haproxy;
      if (g !== undefined && h !== undefined) {
        ratios.push(`  ${w} at ${l * 100}%: p99 ${(g.p99! / h.p99!).toFixed(2)}× HAProxy's (target ≤ 1${l === 0.8 ? '' : ', set at 80 %'}), p99.9 ${(g.p999! / h.p999!).toFixed(2)}× (target ≤ 2)`);
      }
    }
  }
  console.log('\nratios (Gatehouse ÷ HAProxy, medians):');
  for (const line of ratios) console.log(line);
  const gRows = rows.filter((r) => r.target === 'gatehouse');
  const maxLoop = Math.max(0, ...gRows.flatMap((r) => r.loop.map((s) => s.loopDelay.max)));
  const maxGc = Math.max(0, ...gRows.flatMap((r) => r.loop.map((s) => s.gc.maxMs)));
  const maxLag = Math.max(0, ...rows.map((r) => r.clientLagMaxMs));
  console.log(`\nstalls: max event-loop delay ${f(maxLoop)} ms, max GC pause ${f(maxGc)} ms over every Gatehouse worker of every ${seconds} s run — target "no single stall above 20 ms in a 60 s run": ${maxLoop <= 20 && maxGc <= 20 ? 'met' : 'NOT met'}${seconds < 60 ? ` (these runs were ${seconds} s)` : ''}; the client's own worst lag was ${f(maxLag)} ms${maxLag > 20 ? ' (the machine stalled the client too: tails are not only the targets\')' : ''}`);
}
