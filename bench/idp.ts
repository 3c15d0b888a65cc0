/**
 * `npm run bench:idp` — the identity provider on this machine:
 *  - logins per second through POST /api/login (argon2id with the documented parameters), and the raw
 *    argon2id verifications per second beside it (the ceiling the hash sets);
 *  - token signing per second (RS256, ES256, EdDSA, HS256) with the signer the IdP uses;
 *  - JWKS reads per second (GET /.well-known/jwks.json).
 * HTTP load comes from autocannon over loopback. Each figure is the median of `--runs` runs (default 3).
 * The machine is shared and noisy: compare ratios measured in one run, not absolute numbers across runs.
 *
 * Usage: node dist/bench/idp.js [--runs N] [--seconds S] [--connections C]
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../src/shared/logger.js';
import { DEFAULT_PASSWORD_HASHING, PasswordHasher, startIdp } from '../src/idp/index.js';
import { generateKey } from '../src/idp/crypto/keys.js';
import { JwsSigner } from '../src/idp/crypto/jws.js';
import type { KeyAlgorithm } from '../src/idp/model/types.js';

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function load(url: string, seconds: number, connections: number, options: Record<string, unknown> = {}): Promise<AutocannonResult> {
  return autocannon({ url, duration: seconds, connections, ...options });
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
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' } } });
  const runs = Number(values.runs ?? 3);
  const seconds = Number(values.seconds ?? 5);
  const connections = Number(values.connections ?? 8);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-idp-'));
  const logger = createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });
  let adminKey = '';
  const idp = await startIdp({ port: 0, database: join(dir, 'bench.sqlite'), logger, onAdminKey: (k) => (adminKey = k) });
  try {
    const api = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${idp.url}${path}`, { method, headers: { authorization: adminKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as any;
    };
    const app = (await api('POST', '/api/application', { application: { name: 'Bench', jwtConfiguration: { enabled: true } } })).application;
    await api('POST', '/api/user/registration', { user: { email: 'bench@example.com', password: 'bench-password' }, registration: { applicationId: app.id } });
    const loginBody = JSON.stringify({ loginId: 'bench@example.com', password: 'bench-password', applicationId: app.id });

    const results: Record<string, number[]> = { loginsPerSecond: [], argon2VerifiesPerSecond: [], jwksReadsPerSecond: [], RS256: [], ES256: [], EdDSA: [], HS256: [] };
    for (let r = 0; r < runs; r++) {
      const logins = await load(`${idp.url}/api/login`, seconds, connections, { method: 'POST', headers: { authorization: adminKey, 'content-type': 'application/json' }, body: loginBody });
      if (logins.non2xx > 0 || logins.errors > 0) throw new Error(`login benchmark saw ${logins.non2xx} non-2xx and ${logins.errors} errors`);
      results.loginsPerSecond!.push(logins.requests.average);
      results.argon2VerifiesPerSecond!.push(await argonRate(seconds));
      const jwks = await load(`${idp.url}/.well-known/jwks.json`, seconds, connections);
      if (jwks.non2xx > 0) throw new Error('JWKS benchmark saw non-2xx answers');
      results.jwksReadsPerSecond!.push(jwks.requests.average);
      for (const [name, algorithm] of [['RS256', 'RS256'], ['ES256', 'ES256'], ['EdDSA', 'Ed25519'], ['HS256', 'HS256']] as const) {
        results[name]!.push(await signingRate(algorithm, algorithm === 'RS256' ? 2_000 : 20_000));
      }
    }
    const medians = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(median(v))]));
    const p = DEFAULT_PASSWORD_HASHING;
    console.log(`identity provider benchmark — median of ${runs} runs, ${seconds}s each, ${connections} connections, loopback (noisy shared machine)`);
    console.log(`argon2id: m=${p.memoryCost} KiB, t=${p.timeCost}, p=${p.parallelism}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`  POST /api/login            ${medians.loginsPerSecond} logins/s`);
    console.log(`  argon2id verify (4 at once) ${medians.argon2VerifiesPerSecond} verifications/s  (login/verify ratio ${(medians.loginsPerSecond! / medians.argon2VerifiesPerSecond!).toFixed(2)})`);
    console.log(`  GET /.well-known/jwks.json  ${medians.jwksReadsPerSecond} reads/s`);
    console.log(`  token signing (one core)    RS256 ${medians.RS256}/s, ES256 ${medians.ES256}/s, EdDSA ${medians.EdDSA}/s, HS256 ${medians.HS256}/s`);
    return medians;
  } finally {
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2)).catch((error: unknown) => {
    console.error('bench:idp failed:', error);
    process.exitCode = 1;
  });
}
