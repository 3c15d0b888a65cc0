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
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../test/support/services.js';
import { freePort, startProcess, type Running } from '../test/gateway/auth/e2e/processes.js';
import { gatehouseSeedConfig, HAPROXY, SEED_AUDIENCE, SEED_ISSUER, seedHaproxyConfig } from '../test/gateway/auth/e2e/seed-setup.js';
import { startUpstream } from './support/upstream.js';
import { runWrk, type WrkResult } from './support/wrk.js';

const ISSUER = SEED_ISSUER;
const AUDIENCE = SEED_AUDIENCE;
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const PEERS = {
  fastify: fileURLToPath(new URL('./peers/fastify-jwt.js', import.meta.url)),
  'fast-gateway': fileURLToPath(new URL('./peers/fast-gateway-jwt.js', import.meta.url)),
} as const;

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function signAsync(input: string, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => sign('sha256', Buffer.from(input), key, (error, sig) => (error ? reject(error) : resolve(`${input}.${sig.toString('base64url')}`))));
}

/** `count` valid tokens as FusionAuth issues them, signed in libuv's thread pool. */
async function makeTokens(count: number, key: KeyObject, tag: string): Promise<string[]> {
  const nowS = Math.floor(Date.now() / 1000);
  const header = b64u({ alg: 'RS256', typ: 'JWT', kid: 'hCR08_wZGk49AeaAfD69fbJZdFM' });
  const out: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const claims = {
        aud: AUDIENCE, exp: nowS + 4 * 3600, iat: nowS, iss: ISSUER, sub: `${tag}-${i}`, jti: `${tag}-${i}-${Math.random().toString(36).slice(2)}`,
        authenticationType: 'PASSWORD', email: `user${i}@example.com`, email_verified: true, applicationId: AUDIENCE, roles: [],
      };
      out[i] = await signAsync(`${header}.${b64u(claims)}`, key);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out;
}

type Target = 'gatehouse' | 'haproxy' | keyof typeof PEERS;

async function startTarget(target: Target, workDir: string, upstream: string, pubkey: string, cores: number): Promise<{ running: Running; port: number }> {
  const port = await freePort();
  if (target === 'haproxy') {
    const cfg = join(workDir, 'haproxy.cfg');
    const text = seedHaproxyConfig({ dir: workDir, port, upstream, issuer: ISSUER, audience: AUDIENCE, pubkeyPath: pubkey, threads: cores });
    writeFileSync(cfg, text);
    return { running: await startProcess(HAPROXY, ['-db', '-f', cfg], port), port };
  }
  if (target === 'gatehouse') {
    const cfg = join(workDir, 'gatehouse.yaml');
    writeFileSync(cfg, gatehouseSeedConfig({ pubkeyPath: pubkey, upstream, port, workers: cores, accessLog: false }));
    return { running: await startProcess(process.execPath, [CLI, 'gateway', '--config', cfg], port, { GATEHOUSE_LOG_LEVEL: 'warn' }), port };
  }
  return { running: await startProcess(process.execPath, [PEERS[target], String(port), upstream, pubkey, ISSUER, AUDIENCE], port), port };
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
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-jwt-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pubkey = join(workDir, 'pubkey.pem');
  writeFileSync(pubkey, publicKey.export({ type: 'spki', format: 'pem' }) as string);
  console.log(`jwt benchmark: RS256 2048-bit, ${connections} connections, ${seconds}s x ${runs} runs, ${cores} core(s) per gateway; signing tokens...`);
  const reusedFile = join(workDir, 'reused.txt');
  writeFileSync(reusedFile, (await makeTokens(1_000, privateKey, 'reused')).join('\n') + '\n');
  const distinctFile = join(workDir, 'distinct.txt');
  writeFileSync(distinctFile, (await makeTokens(distinctCount, privateKey, 'distinct')).join('\n') + '\n');
  const upstream = await startUpstream(workDir);
  const results = new Map<string, WrkResult[]>();
  const targets: Target[] = ['gatehouse', 'haproxy', 'fastify', 'fast-gateway'];
  try {
    for (let r = 0; r < runs; r++) {
      for (const scenario of ['reused', 'distinct'] as const) {
        for (const target of targets) {
          const { running, port } = await startTarget(target, workDir, upstream.address, pubkey, cores);
          try {
            const url = `http://127.0.0.1:${port}/`;
            await runWrk({ url, tokensFile: reusedFile, connections, threads: 2, durationS: 1, workDir }); // warm-up (JIT, pools)
            const result = await runWrk({ url, tokensFile: scenario === 'reused' ? reusedFile : distinctFile, connections, threads: 2, durationS: seconds, workDir });
            const key = `${target}/${scenario}`;
            results.set(key, [...(results.get(key) ?? []), result]);
            const wrapped = scenario === 'distinct' && result.requests > distinctCount ? ` (WRAPPED: ${result.requests} requests > ${distinctCount} tokens)` : '';
            console.log(`  run ${r + 1} ${scenario.padEnd(8)} ${target.padEnd(12)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  non-2xx ${result.non2xx}  errors ${result.socketErrors}${wrapped}`);
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
  const m = (target: Target, scenario: string, field: 'requestsPerSecond' | 'p99Ms' | 'p50Ms') => median((results.get(`${target}/${scenario}`) ?? []).map((x) => x[field]));
  console.log(`\nmedians of ${runs} runs (upstream: ${upstream.kind}):`);
  console.log('| scenario | target | req/s | p50 ms | p99 ms |');
  console.log('|---|---|---:|---:|---:|');
  for (const scenario of ['reused', 'distinct']) {
    for (const target of targets) console.log(`| ${scenario} | ${target} | ${m(target, scenario, 'requestsPerSecond').toFixed(0)} | ${m(target, scenario, 'p50Ms').toFixed(2)} | ${m(target, scenario, 'p99Ms').toFixed(2)} |`);
  }
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log('\nratios (Gatehouse / other, medians):');
  console.log(`  1,000 reused tokens: ${ratio(m('gatehouse', 'reused', 'requestsPerSecond'), m('haproxy', 'reused', 'requestsPerSecond'))}x HAProxy req/s (target >= 1.25), p99 ${m('gatehouse', 'reused', 'p99Ms').toFixed(2)} vs ${m('haproxy', 'reused', 'p99Ms').toFixed(2)} ms (target: no worse)`);
  console.log(`  distinct tokens:     ${ratio(m('gatehouse', 'distinct', 'requestsPerSecond'), m('haproxy', 'distinct', 'requestsPerSecond'))}x HAProxy req/s (target >= 0.75)`);
  const best = (scenario: string) => Math.max(m('fastify', scenario, 'requestsPerSecond'), m('fast-gateway', scenario, 'requestsPerSecond'));
  console.log(`  vs the best Node peer: ${ratio(m('gatehouse', 'reused', 'requestsPerSecond'), best('reused'))}x reused, ${ratio(m('gatehouse', 'distinct', 'requestsPerSecond'), best('distinct'))}x distinct (target >= 2)`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run();
}
