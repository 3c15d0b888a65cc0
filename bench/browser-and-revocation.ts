/**
 * In-process microbenchmark of what issue #17 adds to the auth path (`npm run bench -- revocation`, or
 * `node dist/bench/run.js revocation` after a build): ns per `policy.authorize()` of a cached token (the
 * hot path; 1,000 FusionAuth-shaped RS256 tokens reused round-robin), for
 *   - header: the seed's policy as before (Authorization only, no revocation) — the baseline;
 *   - header+revocation idle: the same with the process's revocation list attached, current, empty;
 *   - header+revocation 10k: the list holding 10,000 revoked users (none of them the tokens' users);
 *   - cookie GET: `token_from: [header, { cookie: app.at }]`, the token in a Cookie header with two
 *     other cookies;
 *   - cookie POST: the same with an unsafe method and an allowed Origin (the CSRF check);
 *   - login session: the same policy with `login:` (sign-in at the gateway, cookie store), the token in
 *     an AES-256-GCM sealed session cookie (with two other cookies) that is opened on every request and
 *     turned into `Authorization: Bearer` for the policy's JWT checks (bench/support/login-session.ts).
 * The cases run interleaved, one round of each after the other, so all see the same machine load;
 * the table gives each case's median and fastest round, their ratios to the baseline's, and the median
 * of the per-round ratios (each round against the baseline's round of the same turn; the order of the
 * cases turns each round) — on a loaded, shared machine the last two are the figures to read.
 *
 * With GATEHOUSE_BENCH_BASELINE=<another build's dist directory> (e.g. /path/to/main/dist), a sixth case,
 * `header @ baseline`, runs the same header policy built by that build's own code in the same process,
 * interleaved with the others: the ratio against the build before this change, side by side.
 *
 * Environment: GATEHOUSE_AUTHBENCH_ROUNDS (41), GATEHOUSE_AUTHBENCH_HITS (authorize calls per round, 50000): short
 * rounds, many of them, so that one round rarely straddles a change of the machine's load.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createAuthPolicy, type AuthPolicy, type AuthPolicyConfigInput, type AuthRequest } from '../src/gateway/auth/index.js';
import { RevocationList } from '../src/gateway/auth/revocation/index.js';
import { SEED_AUDIENCE, SEED_ISSUER } from '../test/gateway/auth/e2e/seed-setup.js';
import { loginSessionCase } from './support/login-session.js';
import { makeTokens } from './support/tokens.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = env('GATEHOUSE_AUTHBENCH_ROUNDS', 41);
const HITS = env('GATEHOUSE_AUTHBENCH_HITS', 50_000);
const REUSED = 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function timeLoop(policy: AuthPolicy, requests: readonly AuthRequest[]): number {
  const start = performance.now();
  for (let i = 0; i < HITS; i++) {
    const d = policy.authorize(requests[i % REUSED] as AuthRequest);
    if (d instanceof Promise || !d.ok) throw new Error('a cached token was not admitted synchronously');
  }
  return ((performance.now() - start) * 1e6) / HITS;
}

/** A flat string, as the HTTP parser hands over each header value. */
const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');

export async function run(): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const base: AuthPolicyConfigInput = { response: 'seed', algorithms: ['RS256'], issuer: SEED_ISSUER, audience: SEED_AUDIENCE, keys: { jwk } };
  const cookieConfig: AuthPolicyConfigInput = { ...base, token_from: ['header', { cookie: 'app.at' }], allowed_origins: ['https://app.example.com'] };
  const idle = new RevocationList(false);
  idle.setCurrent(true);
  const busy = new RevocationList(false);
  busy.setCurrent(true);
  const far = Date.now() + 3_600_000;
  for (let i = 0; i < 10_000; i++) busy.apply({ kind: 'user', sub: `revoked-${i}`, at: Date.now(), until: far, type: 'bench', event: String(i) }, Date.now());

  const tokens = await makeTokens(REUSED, privateKey, 'reused');
  const header = tokens.map((t) => ({ method: 'GET', path: '/', headers: { authorization: flat(`Bearer ${t}`) } }));
  const cookieGet = tokens.map((t) => ({ method: 'GET', path: '/', headers: { cookie: flat(`theme=dark; app.at=${t}; app.at_exp=1795867200`) } }));
  const cookiePost = tokens.map((t) => ({ method: 'POST', path: '/', headers: { cookie: flat(`theme=dark; app.at=${t}; app.at_exp=1795867200`), origin: 'https://app.example.com' } }));

  const cases: Array<[name: string, policy: AuthPolicy, requests: AuthRequest[]]> = [
    ['header', await createAuthPolicy('bench-header', base, { baseDir: process.cwd() }), header],
    ['header+revocation idle', await createAuthPolicy('bench-idle', base, { baseDir: process.cwd(), revocations: idle }), header],
    ['header+revocation 10k', await createAuthPolicy('bench-busy', base, { baseDir: process.cwd(), revocations: busy }), header],
    ['cookie GET', await createAuthPolicy('bench-cookie', cookieConfig, { baseDir: process.cwd() }), cookieGet],
    ['cookie POST+Origin', await createAuthPolicy('bench-cookie-post', cookieConfig, { baseDir: process.cwd() }), cookiePost],
  ];
  const login = await loginSessionCase(base, jwk, tokens, flat);
  cases.push(['login session', login.policy, login.requests]);
  const baselineDist = process.env.GATEHOUSE_BENCH_BASELINE;
  if (baselineDist !== undefined && baselineDist !== '') {
    const other = (await import(pathToFileURL(join(baselineDist, 'src/gateway/auth/index.js')).href)) as { createAuthPolicy: typeof createAuthPolicy };
    cases.push(['header @ baseline', await other.createAuthPolicy('bench-baseline', base, { baseDir: process.cwd() }), header]);
  }
  console.log(`seed policy, cached tokens (${tokens[0]?.length} bytes; login session cookie ${login.requests[0]?.headers.cookie?.length} bytes with 2 other cookies, ${login.chunks} chunk(s)); ${ROUNDS} rounds of ${HITS} calls per case, interleaved`);
  const results = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  const idpHitsAfterBuild = login.idpHits();
  for (const [, policy, requests] of cases) {
    // show every token twice (cached once seen before, the cache having room), then warm up
    for (let pass = 0; pass < 3; pass++) for (const r of requests) await policy.authorize(r);
    timeLoop(policy, requests);
  }
  for (let round = 0; round < ROUNDS; round++) {
    // the order turns each round, so no case always runs right after the same neighbour
    for (let k = 0; k < cases.length; k++) {
      const [name, policy, requests] = cases[(round + k) % cases.length] as (typeof cases)[number];
      results.get(name)?.push(timeLoop(policy, requests));
    }
  }
  // a valid session must never need the IdP (no discovery, no JWKS, no refresh) on the hot path
  if (login.idpHits() !== idpHitsAfterBuild) throw new Error(`the login session case called the IdP ${login.idpHits() - idpHitsAfterBuild} times while timed`);
  const baseline = results.get('header') as number[];
  // per round: the case against the baseline's round of the same turn (same moment, same machine load)
  console.log('case                      median ns/op   min ns/op   median/median   min/min   median of round ratios');
  for (const [name, xs] of results) {
    const ratios = xs.map((x, i) => x / (baseline[i] as number));
    console.log(
      `${name.padEnd(25)} ${median(xs).toFixed(0).padStart(12)} ${Math.min(...xs).toFixed(0).padStart(11)} ${(median(xs) / median(baseline)).toFixed(3).padStart(15)} ${(Math.min(...xs) / Math.min(...baseline)).toFixed(3).padStart(9)} ${median(ratios).toFixed(3).padStart(24)}`,
    );
  }
  for (const [, policy] of cases) policy.close();
  await login.close();
}
