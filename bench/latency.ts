/**
 * Latency benchmark (issue #21): constant-rate, open-loop load with coordinated-omission correction, so
 * a stall shows up in the tail instead of pausing the load generator (wrk's closed loop hides it).
 * For each workload — plain proxying, the seed's JWT rules with 1,000 reused tokens, with 100,000 reused
 * tokens (jwt-many: ten times the verified-token cache's default size, so the cache cannot hold them all),
 * with a distinct token per request, and plain proxying over TLS with HTTP/2 — it first measures HAProxy's maximum
 * (wrk, or h2load for HTTP/2, closed loop; Gatehouse's too with GATEHOUSE_BENCH_BASIS=own|both), then
 * runs Gatehouse and HAProxy side by side at shares of that rate: p50/p99/p99.9/max.
 *
 * Load generators (each row names its own):
 *  - HTTP/1.1: wrk2 when GATEHOUSE_BENCH_WRK2 names its binary (bench/support/wrk2.ts: C, constant rate,
 *    corrected from the schedule; its fixed ~10 s calibration is the warm-up), else the Node open-loop
 *    client (bench/support/open-loop-client.ts, 2 s warm-up), which cannot keep up with HAProxy's rates
 *    on a small machine and says so (CLIENT LAGGED);
 *  - HTTP/2 over TLS: h2load at a constant rate (bench/support/h2load-rate.ts, 2 s warm-up), latency from
 *    the actual send, its sends checked against the schedule.
 * Each Gatehouse worker's event-loop delay and GC pauses are recorded (GATEHOUSE_LOOP_STATS) in
 * per-second windows; a row counts only the windows of its measured interval (bench/support/latency-report.ts).
 *
 * Default layout: 1 core per target pinned to CPU 0, the generators and the upstream on the others
 * (GATEHOUSE_BENCH_PIN=1 unless set to 0). Environment: GATEHOUSE_BENCH_RUNS (3), GATEHOUSE_BENCH_SECONDS
 * (20; 60 for the stall target), GATEHOUSE_BENCH_CORES (1), GATEHOUSE_BENCH_CONNECTIONS (50),
 * GATEHOUSE_BENCH_WORKLOADS (comma list, all), GATEHOUSE_BENCH_LOADS (0.5,0.8), GATEHOUSE_BENCH_DISTINCT (distinct tokens: by
 * default as many as the fastest jwt-distinct run sends, so no token comes round twice; a smaller number set here
 * makes the rows say WRAPPED), GATEHOUSE_BENCH_MANY (jwt-many's tokens, 100000),
 * GATEHOUSE_BENCH_MAX (req/s: a cap on every measured maximum), GATEHOUSE_BENCH_BASIS (haproxy | own | both:
 * whose maximum the loads are shares of — HAProxy's for both targets, as issue #21 defines, or each
 * target's own), GATEHOUSE_BENCH_WRK2 (path to wrk2's `wrk`), GATEHOUSE_BENCH_STREAMS (h2load -m, 100).
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoopStats } from '../src/gateway/observe/index.js';
import { issueCertificate } from '../src/gateway/tls/local-ca.js';
import { findExecutable } from '../test/support/services.js';
import { HAPROXY } from '../test/gateway/auth/e2e/seed-setup.js';
import { pinning, type Pinning } from './support/cpu.js';
import { sampleIdle } from './support/cpu-idle.js';
import { runH2loadRate } from './support/h2load-rate.js';
import { report, rowLine, type Basis, type Row } from './support/latency-report.js';
import { startLatencyTarget, type TargetName, type TargetSetup, type Workload } from './support/latency-targets.js';
import type { LoadResult } from './support/load-result.js';
import { runOpenLoop } from './support/open-loop.js';
import { makeTokens } from './support/tokens.js';
import { startUpstream } from './support/upstream.js';
import { parseWrk, runWrk } from './support/wrk.js';
import { runWrk2, wrk2WarmupSeconds, WRK2_ENV } from './support/wrk2.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const WORKLOADS: Workload[] = ['plain', 'jwt-reused', 'jwt-many', 'jwt-distinct', 'h2-tls'];
const TARGETS: TargetName[] = ['gatehouse', 'haproxy'];
const BASES: Record<string, Basis[]> = { haproxy: ['haproxy'], own: ['own'], both: ['haproxy', 'own'] };
/** The warm-up of the Node client and of h2load (wrk2 has its own calibration). */
const WARMUP_S = 2;

function execOut(command: string, args: string[], seconds: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { timeout: (seconds + 30) * 1000, maxBuffer: 1 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout))));
}

/** A target's closed-loop maximum for a workload, in requests/s. */
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

async function measuredMaximum(target: TargetName, workload: Workload, setup: TargetSetup, connections: number, tokens: Record<string, string>): Promise<number> {
  const running = await startLatencyTarget(target, workload, setup);
  try {
    await maximum(workload, running.port, 1, connections, tokens, setup.dir, setup.pin); // warm-up
    return await maximum(workload, running.port, 5, connections, tokens, setup.dir, setup.pin);
  } finally {
    await running.stop();
  }
}

interface Drive {
  readonly workload: Workload;
  readonly port: number;
  readonly rate: number;
  readonly seconds: number;
  readonly connections: number;
  readonly streams: number;
  readonly tokensFile: string | undefined;
  readonly wrk2: string | undefined;
  readonly dir: string;
  readonly pin: Pinning;
}

/** The generator's warm-up before the measured window, in seconds. */
function warmupSeconds(workload: Workload, wrk2: string | undefined, connections: number): number {
  return workload !== 'h2-tls' && wrk2 !== undefined ? wrk2WarmupSeconds(connections) : WARMUP_S;
}

function drive(d: Drive): Promise<LoadResult> {
  const tokens = d.tokensFile === undefined ? {} : { tokensFile: d.tokensFile };
  if (d.workload === 'h2-tls') {
    return runH2loadRate({ url: `https://127.0.0.1:${d.port}/`, connections: d.connections, streams: d.streams, rate: d.rate, seconds: d.seconds, warmupSeconds: WARMUP_S, workDir: d.dir, wrap: d.pin.load });
  }
  if (d.wrk2 !== undefined) {
    return runWrk2({ binary: d.wrk2, url: `http://127.0.0.1:${d.port}/`, connections: d.connections, rate: d.rate, seconds: d.seconds, workDir: d.dir, wrap: d.pin.load, ...tokens });
  }
  return runOpenLoop({ protocol: 'http1', port: d.port, connections: d.connections, rate: d.rate, seconds: d.seconds, warmupSeconds: WARMUP_S, ...tokens }, d.pin.load);
}

export async function run(): Promise<void> {
  for (const tool of ['wrk', 'h2load', HAPROXY]) {
    if (findExecutable(tool) === undefined) return console.log(`latency benchmark SKIPPED: ${tool} is not installed`);
  }
  const wrk2Path = process.env[WRK2_ENV];
  const wrk2 = wrk2Path === undefined || wrk2Path === '' ? undefined : findExecutable(wrk2Path.startsWith('/') ? wrk2Path : join(process.cwd(), wrk2Path));
  if (wrk2Path !== undefined && wrk2Path !== '' && wrk2 === undefined) throw new Error(`${WRK2_ENV}=${wrk2Path}: not an executable file (wrk2's \`wrk\` binary)`);
  process.env.GATEHOUSE_BENCH_PIN ??= '1';
  const runs = env('GATEHOUSE_BENCH_RUNS', 3);
  const seconds = env('GATEHOUSE_BENCH_SECONDS', 20);
  const cores = env('GATEHOUSE_BENCH_CORES', 1);
  const connections = env('GATEHOUSE_BENCH_CONNECTIONS', 50);
  const streams = env('GATEHOUSE_BENCH_STREAMS', 100);
  const loads = (process.env.GATEHOUSE_BENCH_LOADS ?? '0.5,0.8').split(',').map(Number);
  const workloads = (process.env.GATEHOUSE_BENCH_WORKLOADS?.split(',') ?? WORKLOADS) as Workload[];
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}; known: ${WORKLOADS.join(', ')}`);
  const basisName = process.env.GATEHOUSE_BENCH_BASIS ?? 'haproxy';
  const bases = BASES[basisName];
  if (bases === undefined) throw new Error(`GATEHOUSE_BENCH_BASIS=${basisName}: expected haproxy, own or both`);
  const fixedMax = env('GATEHOUSE_BENCH_MAX', 0);
  const pin = pinning(cores);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-latency-'));
  console.log(`latency benchmark: open-loop constant rate, ${connections} connections, ${seconds}s measured x ${runs} runs at ${loads.map((l) => `${l * 100}%`).join(' and ')} of ${bases.map((b) => (b === 'own' ? "each target's own" : "HAProxy's")).join(' and of ')} maximum, ${cores} core(s) per target, ${pin.description}`);
  console.log(`generators: HTTP/1.1 ${wrk2 === undefined ? `the Node open-loop client (${WARMUP_S} s warm-up; set ${WRK2_ENV} for wrk2)` : `wrk2 ${wrk2} (its ${wrk2WarmupSeconds(connections)} s calibration is the warm-up)`}; h2-tls h2load --rps, ${streams} streams per connection (${WARMUP_S} s warm-up)`);

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
  const distinctSet = process.env.GATEHOUSE_BENCH_DISTINCT;
  let distinctCount = distinctSet === undefined ? 100_000 : Number(distinctSet);
  const sets: [Workload, number, string][] = [['jwt-reused', 1_000, 'reused'], ['jwt-many', env('GATEHOUSE_BENCH_MANY', 100_000), 'many'], ['jwt-distinct', distinctCount, 'distinct']];
  for (const [workload, count, tag] of sets) {
    if (!workloads.includes(workload)) continue;
    if (count > 1_000) console.log(`signing ${count} ${tag} tokens...`);
    writeFileSync((tokens[workload] = join(dir, `${tag}.txt`)), (await makeTokens(count, privateKey, tag)).join('\n') + '\n');
  }
  const upstream = await startUpstream(dir, pin.load);
  const setup: TargetSetup = { dir, upstream: upstream.address, cores, pin, pubkey, tls };
  const rows: Row[] = [];
  try {
    for (const workload of workloads) {
      const max: Partial<Record<TargetName, number>> = {};
      for (const t of TARGETS) {
        if (t === 'gatehouse' && !bases.includes('own')) continue;
        const measured = await measuredMaximum(t, workload, setup, connections, tokens);
        max[t] = fixedMax > 0 ? Math.min(measured, fixedMax) : measured;
        console.log(`\n${workload}: ${t === 'haproxy' ? 'HAProxy' : 'Gatehouse'}'s maximum ${measured.toFixed(0)} req/s (closed loop, ${connections} connections${workload === 'h2-tls' ? ', one stream each' : ''})${fixedMax > 0 && measured > fixedMax ? `; GATEHOUSE_BENCH_MAX caps it at ${fixedMax} req/s` : ''}`);
      }
      // the (target, whose maximum) pairs to run: HAProxy's own maximum is the haproxy basis, run once
      const pairs: [TargetName, TargetName][] = [];
      for (const b of bases) for (const t of TARGETS) {
        const of: TargetName = b === 'own' ? t : 'haproxy';
        if (!pairs.some(([pt, po]) => pt === t && po === of)) pairs.push([t, of]);
      }
      const warmup = warmupSeconds(workload, wrk2, connections);
      if (workload === 'jwt-distinct' && distinctSet === undefined) {
        // enough tokens that the fastest run (warm-up included) never sends one twice
        const needed = Math.ceil(Math.max(...pairs.map(([, of]) => max[of] as number)) * Math.max(...loads) * (seconds + warmup) * 1.05);
        if (needed > distinctCount) {
          console.log(`signing ${needed - distinctCount} more distinct tokens (${needed} in all, so no run wraps)...`);
          appendFileSync(tokens[workload] as string, (await makeTokens(needed - distinctCount, privateKey, `distinct-${distinctCount}`)).join('\n') + '\n');
          distinctCount = needed;
        }
      }
      for (let r = 0; r < runs; r++) {
        for (const load of loads) {
          for (let k = 0; k < pairs.length; k++) {
            const [target, of] = pairs[(k + r) % pairs.length] as [TargetName, TargetName];
            const rate = Math.max(1, Math.round((max[of] as number) * load));
            const running = await startLatencyTarget(target, workload, setup);
            let loop: LoopStats[] = [];
            const idle = sampleIdle();
            const measured = await drive({ workload, port: running.port, rate, seconds, connections, streams, tokensFile: tokens[workload], wrk2, dir, pin })
              .finally(async () => (idle.stop(), (loop = await running.stop())));
            const loadCpuIdlePercent = idle.idlePercent(pin.loadCpus, measured.measuredFrom, measured.measuredTo);
            const row: Row = { ...measured, loadCpuIdlePercent, workload, load, rate, target, of, loop };
            rows.push(row);
            console.log(rowLine(row, r + 1, workload === 'jwt-distinct' && rate * (seconds + warmup) > distinctCount));
          }
        }
      }
    }
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  report(rows, workloads, bases, loads, runs, seconds);
}
