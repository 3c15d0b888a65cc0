/**
 * Rate limit benchmark: what a limit costs per request, side by side in one run, one core each, the same
 * upstream (Debian's nginx) and load (`wrk -t2 -c50`, every request from 127.0.0.1, so one key):
 *   - Gatehouse without a limit, with a local limit and with a Redis limit (127.0.0.1:6379),
 *   - HAProxy 2.6 without one and with a stick table tracking `http_req_rate` (its way to rate-limit).
 * The limits never refuse (10⁹ requests per second): the benchmark measures the counting, not 429s.
 * Each run measures every target once, in rotating order; medians over the runs; CPU µs per request as in
 * the other suites.
 *
 * Environment: GATEHOUSE_BENCH_RUNS (3), GATEHOUSE_BENCH_SECONDS (8), GATEHOUSE_BENCH_CONNECTIONS (50),
 * GATEHOUSE_BENCH_PIN as in bench/support/cpu.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConnect, findExecutable } from '../test/support/services.js';
import { freePort, startProcess, type Running } from '../test/gateway/auth/e2e/processes.js';
import { HAPROXY } from '../test/gateway/auth/e2e/seed-setup.js';
import { pinning, treeCpuSeconds, type Pinning } from './support/cpu.js';
import { startUpstream } from './support/upstream.js';
import { runWrk, type WrkResult } from './support/wrk.js';
import { haproxyPreamble } from './support/haproxy.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

type Target = 'gatehouse' | 'gatehouse local limit' | 'gatehouse redis limit' | 'haproxy' | 'haproxy stick table';

function gatehouseConfig(port: number, upstream: string, store: 'local' | 'redis' | undefined, prefix: string): string {
  const limit = store === undefined ? '' : `rate_limits:\n  all: { requests: 1000000000, period: 1s, store: ${store} }\n${store === 'redis' ? `redis: { address: "127.0.0.1:6379", key_prefix: "${prefix}" }\n` : ''}`;
  return `access_log: false
${limit}frontends:
  bench: { bind: "127.0.0.1:${port}", default_backend: app${store === undefined ? '' : ', rate_limit: all'} }
backends:
  app: { servers: { s1: { address: "${upstream}" } } }
`;
}

function haproxyConfig(port: number, upstream: string, stickTable: boolean): string {
  const track = stickTable
    ? `  stick-table type ip size 100k expire 10s store http_req_rate(1s)
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 1000000000 }
`
    : '';
  return `${haproxyPreamble(1)}frontend bench
  bind 127.0.0.1:${port}
${track}  default_backend app
backend app
  server s1 ${upstream}
`;
}

async function startTarget(target: Target, dir: string, upstream: string, prefix: string, pin: Pinning): Promise<Running & { port: number }> {
  const port = await freePort();
  if (target.startsWith('haproxy')) {
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(port, upstream, target === 'haproxy stick table'));
    return { ...(await startProcess(...pin.target(HAPROXY, ['-db', '-f', cfg]), port)), port };
  }
  const cfg = join(dir, 'gatehouse.yaml');
  const store = target === 'gatehouse local limit' ? 'local' : target === 'gatehouse redis limit' ? 'redis' : undefined;
  writeFileSync(cfg, gatehouseConfig(port, upstream, store, prefix));
  return { ...(await startProcess(...pin.target(process.execPath, [CLI, 'gateway', '--config', cfg]), port, { GATEHOUSE_LOG_LEVEL: 'warn' })), port };
}

export async function run(): Promise<void> {
  for (const tool of ['wrk', HAPROXY]) {
    if (findExecutable(tool) === undefined) {
      console.log(`ratelimit benchmark SKIPPED: ${tool} is not installed`);
      return;
    }
  }
  const runs = env('GATEHOUSE_BENCH_RUNS', 3);
  const seconds = env('GATEHOUSE_BENCH_SECONDS', 8);
  const connections = env('GATEHOUSE_BENCH_CONNECTIONS', 50);
  const pin = pinning(1);
  const redis = await canConnect('127.0.0.1', 6379);
  const targets: Target[] = ['gatehouse', 'gatehouse local limit', ...(redis ? (['gatehouse redis limit'] as const) : []), 'haproxy', 'haproxy stick table'];
  if (!redis) console.log('ratelimit benchmark: NO REDIS at 127.0.0.1:6379 — the Redis limit is left out');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-ratelimit-'));
  // wrk's script sends one fixed header; no target looks at it
  const tokensFile = join(dir, 'tokens.txt');
  writeFileSync(tokensFile, 'not-a-token\n'.repeat(1_000)); // the script gives each wrk thread a slice
  const prefix = `gatehouse-bench-${process.pid}:`;
  console.log(`ratelimit benchmark: wrk -t2 -c${connections} -d${seconds}s, ${runs} runs, 1 core per target, upstream nginx, ${pin.description}; limits of 10^9/s (never refusing)`);
  const upstream = await startUpstream(dir, pin.load);
  const results = new Map<Target, Array<WrkResult & { cpuUs: number }>>();
  try {
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < targets.length; k++) {
        const target = targets[(k + r) % targets.length] as Target;
        const running = await startTarget(target, dir, upstream.address, prefix, pin);
        try {
          const url = `http://127.0.0.1:${running.port}/`;
          await runWrk({ url, tokensFile, connections, threads: 2, durationS: 2, workDir: dir, wrap: pin.load }); // warm-up
          const pid = running.child.pid as number;
          const before = treeCpuSeconds(pid);
          const measured = await runWrk({ url, tokensFile, connections, threads: 2, durationS: seconds, workDir: dir, wrap: pin.load });
          const result = { ...measured, cpuUs: ((treeCpuSeconds(pid) - before) * 1e6) / Math.max(1, measured.requests) };
          results.set(target, [...(results.get(target) ?? []), result]);
          console.log(`  run ${r + 1} ${target.padEnd(22)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${result.p99Ms.toFixed(2)} ms  CPU ${result.cpuUs.toFixed(1)} µs/req  non-2xx ${result.non2xx}  errors ${result.socketErrors}`);
        } finally {
          await running.stop();
        }
      }
    }
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const m = (target: Target, field: 'requestsPerSecond' | 'p99Ms' | 'cpuUs') => median((results.get(target) ?? []).map((x) => x[field]));
  console.log(`\nmedians of ${runs} runs:`);
  console.log('| target | req/s | p99 ms | CPU µs/req | req/s ÷ own baseline | CPU µs/req over own baseline |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const target of targets) {
    const base: Target = target.startsWith('haproxy') ? 'haproxy' : 'gatehouse';
    console.log(`| ${target} | ${m(target, 'requestsPerSecond').toFixed(0)} | ${m(target, 'p99Ms').toFixed(2)} | ${m(target, 'cpuUs').toFixed(1)} | ${(m(target, 'requestsPerSecond') / m(base, 'requestsPerSecond')).toFixed(2)} | ${(m(target, 'cpuUs') - m(base, 'cpuUs')).toFixed(1)} |`);
  }
  console.log(`\nGatehouse with a local limit ÷ HAProxy with a stick table, req/s: ${(m('gatehouse local limit', 'requestsPerSecond') / m('haproxy stick table', 'requestsPerSecond')).toFixed(2)}×`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run();
}
