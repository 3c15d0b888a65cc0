/**
 * In-process microbenchmark of the auth path (`npm run build && node dist/bench/run.js auth-path`):
 * ns per `policy.authorize()` of the seed's policy (RS256 2048-bit key from a PEM file, issuer,
 * audience, `response: seed`), built through the public factory exactly as the gateway builds it, with
 * FusionAuth-shaped tokens (~700 bytes) as in bench/jwt.ts. Cases:
 *   - hit: 1,000 valid tokens reused round-robin (all in the verified-token cache);
 *   - miss: every token distinct and seen once (a fresh policy per round, so nothing is cached);
 *   - verify: bare crypto.verify of the same tokens (signing input and signature decoded beforehand),
 *     the floor a miss cannot go below; "miss − verify" (per round, rounds interleaved) is what the
 *     pipeline adds;
 *   - deny-sig / deny-iss: one bad token repeated (negative cache) — bad signature, wrong issuer;
 *   - deny-missing: no Authorization header;
 *   - round-robin: a working set of valid tokens 3× the cache's max_entries (a policy with max_entries
 *     GATEHOUSE_AUTHBENCH_RR_CACHE, 2,000), used in turn, as many users each reusing their token; ns per
 *     request and the cache's hit rate over the timed rounds (an LRU that admits every reused token
 *     churns here with ~0 % hits; capacity / working set, 33 %, is what a scan-resistant cache can keep).
 * Each case warms up, then runs several rounds timed with performance.now; the table gives the median
 * round. No token or key is printed.
 *
 * Environment: GATEHOUSE_AUTHBENCH_ROUNDS (7), GATEHOUSE_AUTHBENCH_DISTINCT (distinct tokens per miss
 * round, 2000), GATEHOUSE_AUTHBENCH_HITS (authorize calls per hit round, 200000),
 * GATEHOUSE_AUTHBENCH_RR_CACHE (max_entries of the round-robin case, 2000; its working set is 3×, each
 * round two passes over it).
 */
import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { authMetricsRegistry, createAuthPolicy, type AuthPolicy, type AuthPolicyConfigInput } from '../src/gateway/auth/index.js';
import { SEED_AUDIENCE, SEED_ISSUER } from '../test/gateway/auth/e2e/seed-setup.js';
import { makeTokens } from './support/tokens.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = env('GATEHOUSE_AUTHBENCH_ROUNDS', 7);
const DISTINCT = env('GATEHOUSE_AUTHBENCH_DISTINCT', 2000);
const HITS = env('GATEHOUSE_AUTHBENCH_HITS', 200_000);
const RR_CACHE = env('GATEHOUSE_AUTHBENCH_RR_CACHE', 2000);
const REUSED = 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** The cache lookups of one policy name so far: hits and all lookups. */
async function lookups(policy: string): Promise<{ hit: number; all: number }> {
  const metric = (await authMetricsRegistry.getMetricsAsJSON()).find((m) => m.name === 'gatehouse_auth_cache_lookups_total');
  let hit = 0;
  let all = 0;
  for (const v of metric?.values ?? []) {
    if (v.labels.policy !== policy) continue;
    all += v.value;
    if (v.labels.result === 'hit') hit += v.value;
  }
  return { hit, all };
}

/** Calls `body(i)` for i in [0, n) and returns ns per call; an async decision would be a bug here. */
function timeLoop(n: number, body: (i: number) => unknown): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    if (body(i) instanceof Promise) throw new Error('authorize() went asynchronous in the benchmark');
  }
  return ((performance.now() - start) * 1e6) / n;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-authbench-'));
  try {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = join(dir, 'public.pem');
    writeFileSync(pem, publicKey.export({ type: 'spki', format: 'pem' }));
    const config: AuthPolicyConfigInput = { response: 'seed', algorithms: ['RS256'], issuer: SEED_ISSUER, audience: SEED_AUDIENCE, keys: { file: pem } };
    const newPolicy = (): Promise<AuthPolicy> => createAuthPolicy('fusionauth', config, { baseDir: dir });
    const rrName = `round-robin-${process.pid}`;
    const rrPolicy = await createAuthPolicy(rrName, { ...config, cache: { max_entries: RR_CACHE } }, { baseDir: dir });

    const reused = await makeTokens(REUSED, privateKey, 'reused');
    const distinct = await makeTokens(DISTINCT * (ROUNDS + 1), privateKey, 'distinct');
    const workingSet = await makeTokens(3 * RR_CACHE, privateKey, 'round-robin');
    const [wrongIssuer] = await makeTokens(1, privateKey, 'wrong', { iss: 'https://evil.example' });
    const good = reused[0] as string;
    const badSig = `${good.slice(0, -4)}${good.endsWith('AAAA') ? 'BBBA' : 'AAAA'}`;
    console.log(`seed policy; token ${good.length} bytes; ${ROUNDS} rounds; miss ${DISTINCT}/round; hit ${HITS}/round; round-robin ${workingSet.length} tokens over max_entries ${RR_CACHE}, 2 passes/round`);

    // A flat string, as node:http's parser hands over each header value (not a rope of concatenations).
    const asReq = (t: string) => ({ method: 'GET', path: '/', headers: { authorization: Buffer.from(`Bearer ${t}`, 'latin1').toString('latin1') } });
    const reusedReqs = reused.map(asReq);
    const distinctReqs = distinct.map(asReq);
    const results: Record<string, number[]> = { hit: [], miss: [], verify: [], 'deny-sig': [], 'deny-iss': [], 'deny-missing': [], 'round-robin': [] };

    // Hit: admit every reused token (seen before, and the cache has room), then time round-robin lookups.
    const hitPolicy = await newPolicy();
    for (let pass = 0; pass < 3; pass++) for (const r of reusedReqs) await hitPolicy.authorize(r);
    for (const r of reusedReqs) if (!(hitPolicy.authorize(r) as { ok: boolean }).ok) throw new Error('a reused token was denied');
    timeLoop(HITS, (i) => hitPolicy.authorize(reusedReqs[i % REUSED] as (typeof reusedReqs)[number]));
    for (let round = 0; round < ROUNDS; round++) results.hit?.push(timeLoop(HITS, (i) => hitPolicy.authorize(reusedReqs[i % REUSED] as (typeof reusedReqs)[number])));

    // Miss and bare crypto.verify, interleaved round by round so both see the same machine load (the
    // machine is shared): a fresh policy per miss round, each token seen once; verify runs over the same
    // tokens with the signing input and signature decoded beforehand. Round 0 warms up.
    const inputs = distinct.map((t) => {
      const dot = t.lastIndexOf('.');
      return { data: Buffer.from(t.slice(0, dot), 'latin1'), sig: Buffer.from(t.slice(dot + 1), 'base64url') };
    });
    const opts = { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
    const overheads: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const p = await newPolicy();
      const base = round * DISTINCT;
      const miss = timeLoop(DISTINCT, (i) => {
        const d = p.authorize(distinctReqs[base + i] as (typeof distinctReqs)[number]);
        if (!(d as { ok: boolean }).ok) throw new Error('a distinct token was denied');
        return d;
      });
      p.close();
      const bare = timeLoop(DISTINCT, (i) => {
        const x = inputs[base + i] as (typeof inputs)[number];
        if (!verify('sha256', x.data, opts, x.sig)) throw new Error('verify failed');
        return undefined;
      });
      if (round === 0) continue;
      results.miss?.push(miss);
      results.verify?.push(bare);
      overheads.push(miss - bare);
    }

    // Denials repeated (after the first, answered from the negative cache), and a missing header.
    const denyPolicy = await newPolicy();
    const cases: Array<[string, { method: string; path: string; headers: Record<string, string> }]> = [
      ['deny-sig', asReq(badSig)],
      ['deny-iss', asReq(wrongIssuer as string)],
      ['deny-missing', { method: 'GET', path: '/', headers: {} }],
    ];
    for (const [name, req] of cases) {
      if ((denyPolicy.authorize(req) as { ok: boolean }).ok) throw new Error(`${name} was allowed`);
      timeLoop(HITS, () => denyPolicy.authorize(req));
      for (let round = 0; round < ROUNDS; round++) results[name]?.push(timeLoop(HITS, () => denyPolicy.authorize(req)));
    }

    // Round-robin over a working set 3× the cache: three passes to settle, then two passes per round.
    const rrReqs = workingSet.map(asReq);
    const rrRequest = (i: number) => {
      const d = rrPolicy.authorize(rrReqs[i % rrReqs.length] as (typeof rrReqs)[number]);
      if (!(d as { ok: boolean }).ok) throw new Error('a round-robin token was denied');
      return d;
    };
    timeLoop(3 * rrReqs.length, rrRequest);
    const rrBefore = await lookups(rrName);
    for (let round = 0; round < ROUNDS; round++) results['round-robin']?.push(timeLoop(2 * rrReqs.length, rrRequest));
    const rrAfter = await lookups(rrName);
    const rrHitRate = (rrAfter.hit - rrBefore.hit) / (rrAfter.all - rrBefore.all);

    hitPolicy.close();
    denyPolicy.close();
    rrPolicy.close();

    console.log('case           median ns/op   min ns/op');
    for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(14)} ${median(xs).toFixed(0).padStart(12)} ${Math.min(...xs).toFixed(0).padStart(11)}`);
    console.log(`miss − verify: median ${median(overheads).toFixed(0)} ns, min ${Math.min(...overheads).toFixed(0)} ns (per round; what the pipeline adds to a cache miss)`);
    console.log(`round-robin hit rate: ${(100 * rrHitRate).toFixed(1)} % over the timed rounds (capacity / working set: ${(100 / 3).toFixed(1)} %)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
