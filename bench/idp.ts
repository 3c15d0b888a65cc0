/**
 * `npm run bench:idp` — the identity provider on this machine. The IdP runs as a process of its own
 * (bench/support/idp-process.ts, a fresh SQLite file) pinned with taskset to one core, and the load
 * generator, wrk, to another (bench/support/cpu.ts; without taskset or a second CPU both run unpinned,
 * and the header says so):
 *  - JWKS reads per second (GET /.well-known/jwks.json, keep-alive), with the IdP's CPU time per read,
 *    each run followed by one against a bare node:http server answering the same bytes, pinned the same
 *    (bench/support/bare-jwks.ts): the floor node:http sets, measured at the same moment;
 *  - logins per second through POST /api/login (argon2id with the documented parameters, on the IdP's
 *    one core);
 * and in this process, beside them: raw argon2id verifications per second (the ceiling the hash sets)
 * and token signing per second (RS256, ES256, EdDSA, HS256) with the signer the IdP uses.
 * Each figure is the median of `--runs` runs (default 5) of `--seconds` seconds (default 3), after a
 * 1 s warm-up. The machine is shared and noisy: the CPU time per read depends much less on what else runs
 * than reads per second do.
 *
 * Usage: node dist/bench/idp.js [--runs N] [--seconds S] [--connections C] [--jwks-only]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { DEFAULT_PASSWORD_HASHING, PasswordHasher } from '../src/idp/index.js';
import { generateKey } from '../src/idp/crypto/keys.js';
import { JwsSigner } from '../src/idp/crypto/jws.js';
import type { KeyAlgorithm } from '../src/idp/model/types.js';
import { pinning, treeCpuSeconds, type Pinning } from './support/cpu.js';
import { BENCH_USER } from './support/idp-process.js';
import { wrk, type WrkResult, type WrkRun } from './support/wrk.js';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const LOGIN_LUA = `
wrk.method = "POST"
wrk.body = os.getenv("GATEHOUSE_BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("GATEHOUSE_BENCH_AUTH")
`;

interface Served {
  child: ChildProcess;
  url: string;
}

interface IdpProcess extends Served {
  adminKey: string;
  applicationId: string;
}

/** Starts `script` (next to this file) under `pin` and waits for the JSON line it prints when ready. */
async function startServer<T extends { url: string }>(pin: Pinning, script: string, args: string[]): Promise<T & { child: ChildProcess }> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const [command, commandArgs] = pin.target(process.execPath, [path, ...args]);
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
    child.once('error', reject);
  });
  return { child, ...(JSON.parse(line) as T) };
}

async function stopServer(served: Served | undefined): Promise<void> {
  if (served === undefined || served.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => served.child.once('exit', () => resolve()));
  served.child.kill('SIGTERM');
  await exited;
}

/** One wrk run, with the serving process's CPU seconds over it. */
async function measured(served: Served, run: WrkRun): Promise<WrkResult & { cpuUsPerRequest: number }> {
  const before = treeCpuSeconds(served.child.pid!);
  const result = await wrk(run);
  const cpu = treeCpuSeconds(served.child.pid!) - before;
  if (result.non2xx > 0 || result.socketErrors > 0) throw new Error(`${run.url}: ${result.non2xx} non-2xx answers and ${result.socketErrors} socket errors`);
  return { ...result, cpuUsPerRequest: result.requests === 0 ? 0 : (cpu * 1e6) / result.requests };
}

async function signingRate(algorithm: KeyAlgorithm, count: number): Promise<number> {
  const key = await generateKey({ id: randomUUID(), name: algorithm, now: Date.now() }, { algorithm, length: 2048, issuer: 'bench' });
  const signer = new JwsSigner(key);
  const claims = { aud: randomUUID(), exp: 2_000_000_000, iat: 1_700_000_000, iss: 'https://bench.example', sub: randomUUID(), jti: randomUUID(), authenticationType: 'PASSWORD', roles: [] };
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) signer.sign(claims);
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function argonRate(seconds: number): Promise<number> {
  const hasher = new PasswordHasher(DEFAULT_PASSWORD_HASHING);
  const stored = await hasher.hash('bench-password');
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (Date.now() < end) {
      await hasher.verify(stored, 'bench-password');
      done++;
    }
  };
  const start = Date.now();
  await Promise.all([worker(), worker(), worker(), worker()]);
  return done / ((Date.now() - start) / 1000);
}

export async function run(argv: string[] = []): Promise<Record<string, number>> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, 'jwks-only': { type: 'boolean' } } });
  const runs = Number(values.runs ?? 5);
  const seconds = Number(values.seconds ?? 3);
  const connections = Number(values.connections ?? 32);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-idp-'));
  const pin = pinning(1, { always: true });
  const idp = await startServer<IdpProcess>(pin, './support/idp-process.js', [join(dir, 'bench.sqlite')]);
  let bare: Served | undefined;
  try {
    const jwksRun: WrkRun = { url: `${idp.url}/.well-known/jwks.json`, connections, threads: 1, durationS: seconds, wrap: pin.load };
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, Buffer.from(await (await fetch(jwksRun.url)).arrayBuffer()));
    bare = await startServer<Served>(pin, './support/bare-jwks.js', [jwksFile]);
    const bareRun: WrkRun = { ...jwksRun, url: `${bare.url}/.well-known/jwks.json` };
    const loginScript = join(dir, 'login.lua');
    writeFileSync(loginScript, LOGIN_LUA);
    const loginRun: WrkRun = {
      url: `${idp.url}/api/login`,
      connections: 4,
      threads: 1,
      durationS: seconds,
      timeoutS: 10, // a login on a busy core can take longer than wrk's 2 s default
      script: loginScript,
      env: { GATEHOUSE_BENCH_BODY: JSON.stringify({ ...BENCH_USER, applicationId: idp.applicationId }), GATEHOUSE_BENCH_AUTH: idp.adminKey },
      wrap: pin.load,
    };
    await measured(idp, { ...jwksRun, durationS: 1 }); // warm-up (JIT, the serialised JWKS)
    await measured(bare, { ...bareRun, durationS: 1 });
    await measured(idp, { ...loginRun, durationS: 1 });

    const results: Record<string, number[]> = { jwksReadsPerSecond: [], jwksCpuUsPerRead: [], jwksP99Us: [], bareReadsPerSecond: [], bareCpuUsPerRead: [], loginsPerSecond: [], argon2VerifiesPerSecond: [], RS256: [], ES256: [], EdDSA: [], HS256: [] };
    for (let r = 0; r < runs; r++) {
      const jwks = await measured(idp, jwksRun);
      results.jwksReadsPerSecond!.push(jwks.requestsPerSecond);
      results.jwksCpuUsPerRead!.push(jwks.cpuUsPerRequest);
      results.jwksP99Us!.push(jwks.p99Ms * 1000);
      // the same bytes from a bare node:http server, pinned the same, right after: the floor in this run
      const floor = await measured(bare, bareRun);
      results.bareReadsPerSecond!.push(floor.requestsPerSecond);
      results.bareCpuUsPerRead!.push(floor.cpuUsPerRequest);
    }
    for (let r = 0; r < (values['jwks-only'] === true ? 0 : runs); r++) {
      results.loginsPerSecond!.push((await measured(idp, loginRun)).requestsPerSecond);
      results.argon2VerifiesPerSecond!.push(await argonRate(seconds));
      for (const [name, algorithm] of [['RS256', 'RS256'], ['ES256', 'ES256'], ['EdDSA', 'Ed25519'], ['HS256', 'HS256']] as const) {
        results[name]!.push(await signingRate(algorithm, algorithm === 'RS256' ? 1_000 : 10_000));
      }
    }
    const medians = Object.fromEntries(Object.entries(results).filter(([, v]) => v.length > 0).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
    const p = DEFAULT_PASSWORD_HASHING;
    const all = (name: string) => results[name]!.map((v) => Math.round(v)).join(', ');
    console.log(`identity provider benchmark — median of ${runs} runs, ${seconds}s each, wrk over loopback (noisy shared machine)`);
    console.log(`the IdP: ${pin.description.replace('every target', 'the IdP process').replace('wrk and the upstream', 'wrk')}`);
    console.log(`argon2id: m=${p.memoryCost} KiB, t=${p.timeCost}, p=${p.parallelism}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`  GET /.well-known/jwks.json  ${Math.round(medians.jwksReadsPerSecond!)} reads/s (runs: ${all('jwksReadsPerSecond')}; ${connections} connections), ${medians.jwksCpuUsPerRead} us of IdP CPU per read, p99 ${Math.round(medians.jwksP99Us!)} us`);
    console.log(`  the same bytes, bare node:http  ${Math.round(medians.bareReadsPerSecond!)} reads/s (runs: ${all('bareReadsPerSecond')}), ${medians.bareCpuUsPerRead} us of CPU per read — the IdP serves ${(medians.jwksReadsPerSecond! / medians.bareReadsPerSecond!).toFixed(2)}x its reads/s`);
    if (values['jwks-only'] === true) return medians;
    console.log(`  POST /api/login            ${medians.loginsPerSecond} logins/s (4 connections)`);
    console.log(`  argon2id verify (4 at once, this process) ${Math.round(medians.argon2VerifiesPerSecond!)} verifications/s`);
    console.log(`  token signing (this process, one core)    RS256 ${Math.round(medians.RS256!)}/s, ES256 ${Math.round(medians.ES256!)}/s, EdDSA ${Math.round(medians.EdDSA!)}/s, HS256 ${Math.round(medians.HS256!)}/s`);
    return medians;
  } finally {
    await stopServer(bare);
    await stopServer(idp);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2)).catch((error: unknown) => {
    console.error('bench:idp failed:', error);
    process.exitCode = 1;
  });
}
