/**
 * The verified-token cache: bounded, positive entries found by the token's tail but answering only for the
 * exact token text that verified, denials for the same digest (never junk text kept), no entry outlives exp,
 * repeated bad tokens answered from the negative cache, every entry gone on policy rebuild; TinyLFU
 * admission (a token seen before, and once full only if seen more often than the entry it would evict):
 * a working set larger than the cache keeps a stable part cached, a scan does not displace hot tokens,
 * and a token that becomes hot still gets in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache, tailHash, tokenDigest } from '../../../src/gateway/auth/token-cache.js';
import { authMetricsRegistry, type AuthPolicy } from '../../../src/gateway/auth/index.js';
import { b64u, clock, flipSignatureBit, json, NOW_MS, NOW_S, policy, reasonOf, segments, token, validClaims } from './support.js';

/** One policy's series of a metric labelled by result. */
async function byResult(metricName: string, policyName: string): Promise<Record<string, number>> {
  const metric = (await authMetricsRegistry.getMetricsAsJSON()).find((m) => m.name === metricName);
  const out: Record<string, number> = {};
  for (const v of metric?.values ?? []) if (v.labels.policy === policyName) out[v.labels.result as string] = v.value;
  return out;
}
const lookups = (policyName: string) => byResult('gatehouse_auth_cache_lookups_total', policyName);
const admissions = (policyName: string) => byResult('gatehouse_auth_cache_admissions_total', policyName);

/** Whether one more request with `t` was answered from the cache (and that it was allowed). */
async function hits(p: AuthPolicy, policyName: string, t: string): Promise<boolean> {
  const before = (await lookups(policyName)).hit ?? 0;
  assert.equal(await reasonOf(p, t), 'OK');
  return ((await lookups(policyName)).hit ?? 0) > before;
}

test('LRU: victim() shows the entry an insert would evict, without promoting it; none while there is room or once it expired', () => {
  const cache = new LruCache<string>(2);
  cache.set('a', 'A', 100);
  assert.equal(cache.victim(0), undefined, 'room left');
  cache.set('b', 'B', 200);
  assert.equal(cache.victim(0), 'A');
  assert.equal(cache.victim(0), 'A', 'looking did not make it recent');
  assert.equal(cache.get('a', 0), 'A');
  assert.equal(cache.victim(0), 'B', 'a use did');
  assert.equal(cache.victim(200), undefined, 'an expired victim loses nothing');
  cache.set('c', 'C', 300);
  assert.equal(cache.get('b', 0), undefined, 'set evicted the victim');
});

test('LRU: bounded, least recently used evicted first, expired entries never returned', () => {
  const cache = new LruCache<number>(3);
  cache.set('a', 1, 100);
  cache.set('b', 2, 100);
  cache.set('c', 3, 100);
  assert.equal(cache.get('a', 0), 1, 'a becomes most recent');
  cache.set('d', 4, 100);
  assert.equal(cache.size, 3);
  assert.equal(cache.get('b', 0), undefined, 'b was the least recently used');
  assert.equal(cache.get('a', 0), 1);
  assert.equal(cache.get('a', 100), undefined, 'expired at its time');
  assert.equal(cache.size, 2);
});

test('LRU: the linked-list cache behaves as a reference LRU over 200,000 random operations', () => {
  // reference: re-insert into a Map on every use, the first key is the least recently used
  class Reference {
    readonly map = new Map<string, { value: number; expiresAtMs: number }>();
    constructor(private readonly max: number) {}
    get(key: string, now: number): number | undefined {
      const e = this.map.get(key);
      if (e === undefined) return undefined;
      this.map.delete(key);
      if (e.expiresAtMs <= now) return undefined;
      this.map.set(key, e);
      return e.value;
    }
    set(key: string, value: number, expiresAtMs: number): void {
      this.map.delete(key);
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
      this.map.set(key, { value, expiresAtMs });
    }
  }
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const max of [1, 2, 3, 17]) {
    const cache = new LruCache<number>(max);
    const reference = new Reference(max);
    for (let i = 0; i < 50_000; i++) {
      const key = `k${random(max * 3)}`;
      const now = random(100);
      if (random(2) === 0) {
        const expires = random(120);
        cache.set(key, i, expires);
        reference.set(key, i, expires);
      } else {
        assert.equal(cache.get(key, now), reference.get(key, now), `max ${max}, operation ${i}`);
      }
      assert.equal(cache.size, reference.map.size);
    }
  }
});

test('a denial is remembered by a SHA-256 digest of the token (its Map key is a number), never by the token text', () => {
  const t = token();
  const d = tokenDigest(t);
  assert.equal(Buffer.from(d, 'base64').length, 32);
  assert.ok(!d.includes(t.slice(0, 16)));
  assert.notEqual(tokenDigest(flipSignatureBit(t)), d);
  assert.equal(typeof tailHash(t), 'number');
  assert.equal(tailHash(t), tailHash(t.split('').join('')), 'depends on the text, not the string object');
});

test('a positive entry is hit only by byte-identical text: any other text is verified on its own', async () => {
  clock.now = NOW_MS;
  const p = await policy({}, 'cache-exact');
  const t = token();
  assert.equal(await reasonOf(p, t), 'OK');
  assert.equal(await reasonOf(p, t), 'OK', 'second sighting: admitted to the cache');
  // the same text built anew (not the same string object) hits
  assert.equal(await reasonOf(p, t.split('').join('')), 'OK');
  assert.equal((await lookups('cache-exact')).hit, 1);
  // one changed signature bit, a trailing segment character or a swapped case misses and is refused
  assert.equal(await reasonOf(p, flipSignatureBit(t)), 'SIG');
  const lastUpper = t.slice(0, -1) + (t.at(-1) === 'A' ? 'B' : 'A');
  assert.notEqual(await reasonOf(p, lastUpper), 'OK');
  assert.equal((await lookups('cache-exact')).hit, 1, 'no other text hit the entry');
  p.close();
});

test('admission: a token used once is never cached; from its second sighting it is, and a key change forgets sightings', async () => {
  clock.now = NOW_MS;
  const p = await policy({}, 'cache-admission');
  const once = Array.from({ length: 50 }, (_, i) => token({ claims: validClaims({ sub: `once-${i}` }) }));
  for (const t of once) assert.equal(await reasonOf(p, t), 'OK');
  assert.deepEqual(await lookups('cache-admission'), { miss: 50 });
  const t = once[0] as string;
  assert.equal(await reasonOf(p, t), 'OK', 'second sighting: verified again, then cached');
  assert.equal(await reasonOf(p, t), 'OK');
  assert.deepEqual(await lookups('cache-admission'), { miss: 51, hit: 1 });
  p.close();
});

test('admission: while the cache has room, every token of a round-robin set is cached from its second sighting', async () => {
  // A one-fingerprint-per-slot table (two filters ago) let two tokens of the same slot evict each other's
  // sighting forever: with 200 tokens in its 1,024 slots, ~20 pairs were never cached.
  clock.now = NOW_MS;
  const p = await policy({ cache: { max_entries: 500 } }, 'cache-round-robin');
  const tokens = Array.from({ length: 200 }, (_, i) => token({ claims: validClaims({ sub: `rr-${i}` }) }));
  for (let pass = 0; pass < 2; pass++) for (const t of tokens) assert.equal(await reasonOf(p, t), 'OK');
  // (a Bloom false positive may admit a token at its first sighting, so the first passes may hit a few)
  const before = await lookups('cache-round-robin');
  for (const t of tokens) assert.equal(await reasonOf(p, t), 'OK');
  const after = await lookups('cache-round-robin');
  assert.equal((after.hit ?? 0) - (before.hit ?? 0), 200, 'third pass: all hits');
  assert.equal(after.miss, before.miss);
  p.close();
});

test('a cached token stops being accepted at its exp; hits and misses are counted', async () => {
  clock.now = NOW_MS;
  const p = await policy({}, 'cache-exp');
  const t = token({ claims: validClaims({ exp: NOW_S + 10 }) });
  assert.equal(await reasonOf(p, t), 'OK');
  assert.equal(await reasonOf(p, t), 'OK');
  assert.deepEqual(await lookups('cache-exp'), { miss: 2 }, 'a valid token is cached from its second sighting');
  assert.equal(await reasonOf(p, t), 'OK');
  assert.deepEqual(await lookups('cache-exp'), { miss: 2, hit: 1 });
  clock.now = NOW_MS + 10_000;
  assert.equal(await reasonOf(p, t), 'EXP', 'the entry did not outlive exp');
  clock.now = NOW_MS;
  p.close();
});

test('repeated bad tokens come from the negative cache; time-dependent denials (NBF, KEY) are not cached', async () => {
  clock.now = NOW_MS;
  const p = await policy({}, 'cache-negative');
  const bad = flipSignatureBit(token());
  for (let i = 0; i < 5; i++) assert.equal(await reasonOf(p, bad), 'SIG');
  assert.equal((await lookups('cache-negative')).negative_hit, 4);
  const early = token({ claims: validClaims({ nbf: NOW_S + 5 }) });
  assert.equal(await reasonOf(p, early), 'NBF');
  clock.now = NOW_MS + 5_000;
  assert.equal(await reasonOf(p, early), 'OK', 'becomes valid at nbf: NBF was not cached');
  clock.now = NOW_MS;
  p.close();
});

test('the cache is bounded by max_entries and can be turned off', async () => {
  clock.now = NOW_MS;
  const small = await policy({ cache: { max_entries: 2 } }, 'cache-small');
  const tokens = [1, 2, 3].map((i) => token({ claims: validClaims({ sub: `u${i}` }) }));
  for (const t of tokens) {
    await reasonOf(small, t);
    await reasonOf(small, t); // second sighting: cached while there is room; u3 finds the cache full
  }
  assert.deepEqual(await admissions('cache-small'), { admitted: 2, rejected: 1 }, 'u3 was seen no more often than the entry it would evict');
  const cached = [];
  for (const t of tokens) cached.push(await hits(small, 'cache-small', t));
  assert.deepEqual(cached, [true, true, false], 'never more than max_entries tokens answered from the cache');
  small.close();
  const off = await policy({ cache: false }, 'cache-off');
  await reasonOf(off, tokens[0] as string);
  await reasonOf(off, tokens[0] as string);
  await reasonOf(off, tokens[0] as string);
  assert.deepEqual(await lookups('cache-off'), {});
  assert.deepEqual(await admissions('cache-off'), {});
  off.close();
});

test('a round-robin working set 3× max_entries keeps a stable third cached (hit rate ≈ max_entries / working set, not ~0)', async () => {
  // Admitting every reused token made each one evict another here: the LRU churned with no hits, and
  // every request left a cache entry behind for the garbage collector to promote.
  clock.now = NOW_MS;
  const p = await policy({ cache: { max_entries: 20 } }, 'cache-loop');
  const tokens = Array.from({ length: 60 }, (_, i) => token({ claims: validClaims({ sub: `loop-${i}` }) }));
  for (let pass = 0; pass < 3; pass++) for (const t of tokens) assert.equal(await reasonOf(p, t), 'OK');
  const before = await lookups('cache-loop');
  const admittedBefore = (await admissions('cache-loop')).admitted ?? 0;
  for (let pass = 0; pass < 3; pass++) for (const t of tokens) assert.equal(await reasonOf(p, t), 'OK');
  const after = await lookups('cache-loop');
  const hitRate = ((after.hit ?? 0) - (before.hit ?? 0)) / 180;
  assert.ok(hitRate >= 0.25 && hitRate <= 20 / 60, `hit rate ${hitRate} over three passes, 1/3 at most`);
  assert.ok(((await admissions('cache-loop')).admitted ?? 0) - admittedBefore <= 5, 'the cached part is stable: (almost) no inserts once settled');
  p.close();
});

test('a hot set that fits survives a long scan of one-off and twice-seen tokens: all still hits afterwards', async () => {
  clock.now = NOW_MS;
  const p = await policy({ cache: { max_entries: 50 } }, 'cache-scan'); // frequencies age every 500 sightings
  const hot = Array.from({ length: 30 }, (_, i) => token({ claims: validClaims({ sub: `hot-${i}` }) }));
  for (let pass = 0; pass < 8; pass++) for (const t of hot) assert.equal(await reasonOf(p, t), 'OK');
  // 300 sightings, so the scan outlasts one halving of every count: 150 one-off tokens and 75 seen twice
  for (let i = 0; i < 75; i++) {
    const once = [0, 1].map((k) => token({ claims: validClaims({ sub: `once-${i}-${k}` }) }));
    const twice = token({ claims: validClaims({ sub: `twice-${i}` }) });
    for (const t of [once[0], twice, once[1], twice]) assert.equal(await reasonOf(p, t as string), 'OK');
  }
  const stillCached = [];
  for (const t of hot) stillCached.push(await hits(p, 'cache-scan', t));
  assert.deepEqual(stillCached, hot.map(() => true));
  assert.ok(((await admissions('cache-scan')).rejected ?? 0) >= 50, 'twice-seen tokens were kept out once the cache was full');
  p.close();
});

test('a token that becomes hot displaces a cold entry: aging keeps the cache from freezing on formerly hot tokens', async () => {
  clock.now = NOW_MS;
  const p = await policy({ cache: { max_entries: 10 } }, 'cache-newly-hot'); // frequencies age every 100 sightings
  const old = Array.from({ length: 10 }, (_, i) => token({ claims: validClaims({ sub: `old-${i}` }) }));
  // 390 sightings: the last halving at 300, then 9 more each, so every old token's count is saturated (16)
  for (let pass = 0; pass < 39; pass++) for (const t of old) assert.equal(await reasonOf(p, t), 'OK');
  const fresh = token({ claims: validClaims({ sub: 'newly-hot' }) });
  const answers: boolean[] = [];
  for (let i = 0; i < 40 && !answers.includes(true); i++) answers.push(await hits(p, 'cache-newly-hot', fresh));
  assert.ok(answers.slice(0, 10).every((hit) => !hit), 'not cached at its second sighting: every old token was used more');
  assert.ok(answers.includes(true), `cached after the old tokens' counts were halved (${answers.length} uses)`);
  assert.equal(await hits(p, 'cache-newly-hot', old[0] as string), false, 'the least recently used old token was evicted for it');
  assert.equal(await hits(p, 'cache-newly-hot', old[9] as string), true, 'the others stay');
  p.close();
});

test('a rebuilt policy (reload) starts with an empty cache', async () => {
  const t = token();
  const first = await policy({}, 'cache-rebuild');
  await reasonOf(first, t);
  await reasonOf(first, t);
  await reasonOf(first, t);
  first.close();
  const before = await lookups('cache-rebuild');
  const second = await policy({}, 'cache-rebuild');
  await reasonOf(second, t);
  const after = await lookups('cache-rebuild');
  assert.equal(after.miss, (before.miss ?? 0) + 1);
  assert.equal(after.hit, before.hit);
});

test('the digest is injective on the token text: characters above U+00FF cannot alias a cached token', async () => {
  clock.now = NOW_MS;
  const p = await policy({}, 'cache-alias');
  const good = token();
  assert.equal(await reasonOf(p, good), 'OK');
  // U+0161 and U+0061 share their low byte; a Latin-1 digest would map both tokens to one entry.
  const i = good.lastIndexOf('a');
  const alias = `${good.slice(0, i)}\u0161${good.slice(i + 1)}`;
  assert.notEqual(tokenDigest(alias), tokenDigest(good));
  assert.equal(await reasonOf(p, alias), 'MALFORMED');
  p.close();
});

/** The same signature segment (so the same cache tail) under other claims: a forgery of `t`. */
function sameTailOtherPayload(t: string): string {
  const [h, , sig] = segments(t);
  return `${h}.${b64u(json(validClaims({ sub: 'someone-else' })))}.${sig}`;
}

test('a token sharing a cached token\'s tail (its signature) but not its text never hits: it is verified and refused', async () => {
  clock.now = NOW_MS;
  const p = await policy({}, 'cache-tail');
  const t = token();
  assert.equal(await reasonOf(p, t), 'OK');
  assert.equal(await reasonOf(p, t), 'OK', 'second sighting: cached');
  const forged = sameTailOtherPayload(t);
  assert.equal(forged.slice(-32), t.slice(-32));
  assert.equal(await reasonOf(p, forged), 'SIG');
  assert.equal(await reasonOf(p, forged), 'SIG', 'repeated: from the negative cache, still refused');
  assert.equal(await reasonOf(p, t), 'OK', 'the valid token still hits');
  const counts = await lookups('cache-tail');
  assert.equal(counts.hit, 1, 'only the valid token hit');
  assert.equal(counts.negative_hit, 1);
  p.close();
});

test('a cached denial answers only for the same digest: a valid token with the same tail is verified and allowed', async () => {
  clock.now = NOW_MS;
  const p = await policy({}, 'cache-tail-negative');
  const t = token({ claims: validClaims({ sub: 'victim' }) });
  const forged = sameTailOtherPayload(t);
  for (let i = 0; i < 3; i++) assert.equal(await reasonOf(p, forged), 'SIG');
  assert.equal(await reasonOf(p, t), 'OK', 'not denied by the forgery\'s negative entry');
  assert.equal(await reasonOf(p, t), 'OK');
  assert.equal(await reasonOf(p, t), 'OK');
  const counts = await lookups('cache-tail-negative');
  assert.equal(counts.negative_hit, 2, 'only the forgery itself came from the negative cache');
  assert.equal(counts.hit, 1);
  p.close();
});
