/**
 * JWT benchmark (issue "JWT authorization"): the seed's workload — RS256 with a 2048-bit key, 50
 * connections, the same upstream — side by side in one run through
 *   - Gatehouse (`gatehouse gateway`, seed-mode policy, `workers` = cores),
 *   - HAProxy 2.6 with the seed's exact rules (`nbthread` = cores),
 *   - the Node peers: Fastify + @fastify/jwt (fast-jwt, with its cache) + @fastify/http-proxy, and
 *     fast-gateway 3.4.7 with a fast-jwt middleware; the better of the two is "the best Node peer",
 * in two scenarios: 1,000 valid tokens reused round-robin, and every token distinct (no cache help).
 * wrk with a Lua script sends the tokens. Each target starts fresh for each measurement; the table
 * gives the median of the runs and the ratios. The machine is shared and noisy: compare ratios from
 * one run, not absolute numbers across runs.
 *
 * Environment: GATEHOUSE_BENCH_RUNS (3), GATEHOUSE_BENCH_SECONDS (8), GATEHOUSE_BENCH_CORES (1),
 * GATEHOUSE_BENCH_DISTINCT (tokens for the distinct scenario, 80000), GATEHOUSE_BENCH_CONNECTIONS (50).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../test/support/services.js';
import { freePort, startProcess, type Running } from '../test/gateway/auth/e2e/processes.js';
import { gatehouseSeedConfig, HAPROXY, SEED_AUDIENCE, SEED_ISSUER, seedHaproxyConfig } from '../test/gateway/auth/e2e/seed-setup.js';
import { pinning, treeCpuSeconds, type Pinning } from './support/cpu.js';
import { startUpstream } from './support/upstream.js';
import { runWrk, type WrkResult } from './support/wrk.js';
import { makeTokens } from './support/tokens.js';

const ISSUER = SEED_ISSUER;
const AUDIENCE = SEED_AUDIENCE;
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const PEERS = {
  fastify: fileURLToPath(new URL('./peers/fastify-jwt.js', import.meta.url)),
  'fast-gateway': fileURLToPath(new URL('./peers/fast-gateway-jwt.js', import.meta.url)),
} as const;

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);


type Target = 'gatehouse' | 'haproxy' | keyof typeof PEERS;

async function startTarget(target: Target, workDir: string, upstream: string, pubkey: string, cores: number, pin: Pinning): Promise<{ running: Running; port: number }> {
  const port = await freePort();
  if (target === 'haproxy') {
    const cfg = join(workDir, 'haproxy.cfg');
    const text = seedHaproxyConfig({ dir: workDir, port, upstream, issuer: ISSUER, audience: AUDIENCE, pubkeyPath: pubkey, threads: cores });
    writeFileSync(cfg, text);
    return { running: await startProcess(...pin.target(HAPROXY, ['-db', '-f', cfg]), port), port };
  }
  if (target === 'gatehouse') {
    const cfg = join(workDir, 'gatehouse.yaml');
    writeFileSync(cfg, gatehouseSeedConfig({ pubkeyPath: pubkey, upstream, port, workers: cores, accessLog: false }));
    return { running: await startProcess(...pin.target(process.execPath, [CLI, 'gateway', '--config', cfg]), port, { GATEHOUSE_LOG_LEVEL: 'warn' }), port };
  }
  return { running: await startProcess(...pin.target(process.execPath, [PEERS[target], String(port), upstream, pubkey, ISSUER, AUDIENCE]), port), port };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export interface JwtBenchOptions {
  readonly runs?: number;
  readonly seconds?: number;
}

export async function run(options: JwtBenchOptions = {}): Promise<void> {
  for (const tool of ['wrk', HAPROXY]) {
    if (findExecutable(tool) === undefined) {
      console.log(`jwt benchmark SKIPPED: ${tool} is not installed`);
      return;
    }
  }
  const runs = options.runs ?? env('GATEHOUSE_BENCH_RUNS', 3);
  const seconds = options.seconds ?? env('GATEHOUSE_BENCH_SECONDS', 8);
  const cores = env('GATEHOUSE_BENCH_CORES', 1);
  const connections = env('GATEHOUSE_BENCH_CONNECTIONS', 50);
  const distinctCount = env('GATEHOUSE_BENCH_DISTINCT', 80_000);
  const pin = pinning(cores);
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-jwt-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pubkey = join(workDir, 'pubkey.pem');
  writeFileSync(pubkey, publicKey.export({ type: 'spki', format: 'pem' }) as string);
  console.log(`jwt benchmark: RS256 2048-bit, ${connections} connections, ${seconds}s x ${runs} runs, ${cores} core(s) per gateway, ${pin.description}; signing tokens...`);
  const reusedFile = join(workDir, 'reused.txt');
  writeFileSync(reusedFile, (await makeTokens(1_000, privateKey, 'reused')).join('\n') + '\n');
  const distinctFile = join(workDir, 'distinct.txt');
  writeFileSync(distinctFile, (await makeTokens(distinctCount, privateKey, 'distinct')).join('\n') + '\n');
  const upstream = await startUpstream(workDir, pin.load);
  const results = new Map<string, Array<WrkResult & { cpuUs: number; busy: number }>>();
  const targets: Target[] = ['gatehouse', 'haproxy', 'fastify', 'fast-gateway'];
  try {
    for (let r = 0; r < runs; r++) {
      for (const scenario of ['reused', 'distinct'] as const) {
        for (const target of targets) {
          const { running, port } = await startTarget(target, workDir, upstream.address, pubkey, cores, pin);
          try {
            const url = `http://127.0.0.1:${port}/`;
            await runWrk({ url, tokensFile: reusedFile, connections, threads: 2, durationS: 1, workDir, wrap: pin.load }); // warm-up (JIT, pools)
            const pid = running.child.pid as number;
            const cpuBefore = treeCpuSeconds(pid);
            const started = performance.now();
            const measured = await runWrk({ url, tokensFile: scenario === 'reused' ? reusedFile : distinctFile, connections, threads: 2, durationS: seconds, workDir, wrap: pin.load });
            const cpu = treeCpuSeconds(pid) - cpuBefore;
            // CPU µs per request (steadier than req/s on a shared machine) and busy = CPU seconds per
            // wall second (≈ cores means the target is CPU-bound; well below it means wrk or the upstream limited it)
            const result = { ...measured, cpuUs: (cpu * 1e6) / Math.max(1, measured.requests), busy: cpu / ((performance.now() - started) / 1000) };
            const key = `${target}/${scenario}`;
            results.set(key, [...(results.get(key) ?? []), result]);
            const wrapped = scenario === 'distinct' && result.requests > distinctCount ? ` (WRAPPED: ${result.requests} requests > ${distinctCount} tokens)` : '';
            console.log(`  run ${r + 1} ${scenario.padEnd(8)} ${target.padEnd(12)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  CPU ${result.cpuUs.toFixed(1)} µs/req  busy ${result.busy.toFixed(2)}  non-2xx ${result.non2xx}  errors ${result.socketErrors}${wrapped}`);
          } finally {
            await running.stop();
          }
        }
      }
    }
  } finally {
    await upstream.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const m = (target: Target, scenario: string, field: 'requestsPerSecond' | 'p99Ms' | 'p50Ms' | 'cpuUs' | 'busy') => median((results.get(`${target}/${scenario}`) ?? []).map((x) => x[field]));
  console.log(`\nmedians of ${runs} runs (upstream: ${upstream.kind}):`);
  console.log('| scenario | target | req/s | p50 ms | p99 ms | CPU µs/req | busy (CPU s / s) |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const scenario of ['reused', 'distinct']) {
    for (const target of targets) console.log(`| ${scenario} | ${target} | ${m(target, scenario, 'requestsPerSecond').toFixed(0)} | ${m(target, scenario, 'p50Ms').toFixed(2)} | ${m(target, scenario, 'p99Ms').toFixed(2)} | ${m(target, scenario, 'cpuUs').toFixed(1)} | ${m(target, scenario, 'busy').toFixed(2)} |`);
  }
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log('\nratios (Gatehouse / other, medians):');
  console.log(`  1,000 reused tokens: ${ratio(m('gatehouse', 'reused', 'requestsPerSecond'), m('haproxy', 'reused', 'requestsPerSecond'))}x HAProxy req/s (target >= 1.25), p99 ${m('gatehouse', 'reused', 'p99Ms').toFixed(2)} vs ${m('haproxy', 'reused', 'p99Ms').toFixed(2)} ms (target: no worse)`);
  console.log(`  CPU per request, HAProxy ÷ Gatehouse: ${ratio(m('haproxy', 'reused', 'cpuUs'), m('gatehouse', 'reused', 'cpuUs'))}x reused, ${ratio(m('haproxy', 'distinct', 'cpuUs'), m('gatehouse', 'distinct', 'cpuUs'))}x distinct`);
  console.log(`  distinct tokens:     ${ratio(m('gatehouse', 'distinct', 'requestsPerSecond'), m('haproxy', 'distinct', 'requestsPerSecond'))}x HAProxy req/s (target >= 0.75)`);
  const best = (scenario: string) => Math.max(m('fastify', scenario, 'requestsPerSecond'), m('fast-gateway', scenario, 'requestsPerSecond'));
  console.log(`  vs the best Node peer: ${ratio(m('gatehouse', 'reused', 'requestsPerSecond'), best('reused'))}x reused, ${ratio(m('gatehouse', 'distinct', 'requestsPerSecond'), best('distinct'))}x distinct (target >= 2)`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run();
}
