/**
 * Admission for the verified-token cache: TinyLFU (Einziger & Friedman, "TinyLFU: A Highly Efficient
 * Cache Admission Policy"; Caffeine's W-TinyLFU without its window). A small frequency sketch counts the
 * sightings of valid tokens by the 32-bit hash of their tail (`tailHash`), and the policy (policy.ts)
 * caches a verified token only when
 *   - it has been seen before (a token used once costs no insert, no retained objects, no eviction —
 *     measured ~35–60 µs of CPU per request in the gateway under load), and
 *   - the cache has room, or its least recently used entry (the one an insert would evict) has expired
 *     or has been seen strictly less often than the candidate (counted before its current sighting:
 *     policy.ts `admit` says why).
 * Why the second rule: with plain "cache from the second sighting", a working set of reused tokens larger
 * than `max_entries` (many users, each reusing a token) made every token evict another: ~0 % hits, and
 * every request's entry lived long enough to be promoted to V8's old generation (21–38 ms GC pauses in a
 * 60 s run, docs/benchmarks.md). Now such a set keeps a stable subset cached (hit rate ≈ capacity /
 * working set) and a scan of one-off or twice-seen tokens never displaces frequently used ones.
 *
 * The sketch: a doorkeeper (a Bloom filter, 2 bits per token) in front of a count-min sketch (4 rows of
 * 4-bit saturating counters). A token's first sighting only sets its doorkeeper bits; later ones add to
 * its counters (conservative update: only the counters at the minimum grow, which keeps one token's
 * count from inflating others'). Its estimate is the minimum of its 4 counters, plus 1 when the
 * doorkeeper holds it. Frequencies age: after a sample of 10 × max_entries recorded sightings every
 * counter is halved and the doorkeeper emptied, so tokens that stopped being used lose their place to
 * new hot ones. Consequence: a token reused less often than about once in 5 × max_entries sightings is
 * mostly not told apart from a one-off — it is not cached, and it does not churn the cache either (in a
 * simulation, 100,000 tokens used in turn through the default 10,000 entries: ~4 % hits where 10 % is
 * the most possible, and no inserts once settled; 30,000 or 50,000 tokens: 33 % and 20 %, the most).
 *
 * Memory: `slots` = a power of two ≥ 2 × max_entries (at least 2^10, at most 2^20); the counters take
 * 16 bits per slot and the doorkeeper 16, i.e. 4 bytes per slot, 128 KiB for the default 10,000
 * entries — the size of the second-sighting filter this replaced. One typed array: nothing is
 * allocated per sighting. The sample is at most 5 × slots sightings (less than 10 × max_entries only
 * beyond 2^19 entries), so the doorkeeper's false-positive rate, highest just before it is emptied,
 * stays below ~24 % (~10 % with the default 10,000 entries; measured, test/gateway/auth/admission.test.ts
 * checks it); a false positive counts a one-off token as seen before.
 *
 * Hash flooding: Caffeine admits a small random fraction of candidates that lose, because an attacker
 * who can send arbitrary keys can keep a victim's counters high and freeze its cache. Here only valid
 * tokens are ever recorded (a cache hit on the exact text, or a token that verified): an attacker cannot
 * mint tokens with chosen hashes, does not know other users' token hashes to aim at, and a legitimate
 * client who reuses its own token a lot just makes that token rightly hot. At worst a frozen cache means
 * every other token is verified — a plain miss, never a wrong answer — and aging thaws it within a few
 * samples. So the deterministic "strictly greater" rule is enough.
 *
 * Admission only decides whether to cache: a false positive or a collision just caches a valid token
 * early (or keeps one out), and an entry still answers only for the exact token text (token-cache.ts).
 */

const MAX_COUNT = 15;
/** Words per block: 8 of counters (4 rows × 16 4-bit counters), 8 of doorkeeper bits (256). */
const BLOCK_WORDS = 16;

/** murmur3's finaliser: spreads FNV's weak low bits before positions are taken from the hash. */
function mix(hash: number): number {
  let h = hash;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Layout: one table of 64-byte blocks, as Caffeine's blocked sketch. A hash picks one block (its top
 * bits); its doorkeeper bits (low 16 bits: 2 of the block's 256) and its 4 counters (one of 16 per row,
 * from a second mix) lie in that block, so a sighting touches one cache line instead of six: the hit
 * path records every hit.
 */
export class FrequencySketch {
  /** Int32, not Uint32: a word with its top bit set stays a small integer in V8's optimised code (Uint32 loads above 2^31 became doubles and deoptimised `probe`). */
  private readonly table: Int32Array;
  private readonly blockShift: number;
  /** Recorded sightings after which frequencies age. */
  readonly sampleSize: number;
  private recorded = 0;

  constructor(maxEntries: number) {
    let log = 10;
    while (log < 20 && 1 << log < 2 * maxEntries) log++;
    const slots = 1 << log;
    this.table = new Int32Array(slots); // slots / 16 blocks
    this.blockShift = 32 - (log - 4);
    this.sampleSize = Math.max(1, Math.min(10 * maxEntries, 5 * slots));
  }

  /** Bytes held by the sketch (fixed at construction). */
  get byteLength(): number {
    return this.table.byteLength;
  }

  /** Records one sighting of the token with this tail hash. */
  record(hash: number): void {
    const h = mix(hash);
    const block = (h >>> this.blockShift) * BLOCK_WORDS;
    const table = this.table;
    const a = block + 8 + ((h >>> 5) & 7);
    const b = block + 8 + ((h >>> 13) & 7);
    const bitA = 1 << (h & 31);
    const bitB = 1 << ((h >>> 8) & 31);
    const wordA = table[a] as number;
    if ((wordA & bitA) !== 0 && ((table[b] as number) & bitB) !== 0) this.probe(h, block, true);
    else {
      table[a] = wordA | bitA;
      table[b] = (table[b] as number) | bitB; // re-read: a and b may be the same word
    }
    if (++this.recorded >= this.sampleSize) this.age();
  }

  /** Estimated sightings of the token with this tail hash (0 to 16: at most 15 counted beyond the doorkeeper's 1). */
  frequency(hash: number): number {
    const h = mix(hash);
    const block = (h >>> this.blockShift) * BLOCK_WORDS;
    const table = this.table;
    const inDoor =
      ((table[block + 8 + ((h >>> 5) & 7)] as number) & (1 << (h & 31))) !== 0 &&
      ((table[block + 8 + ((h >>> 13) & 7)] as number) & (1 << ((h >>> 8) & 31))) !== 0;
    return this.probe(h, block, false) + (inDoor ? 1 : 0);
  }

  /** Forgets every sighting (on a key change, with the caches). */
  clear(): void {
    this.table.fill(0);
    this.recorded = 0;
  }

  /**
   * The minimum of the hash's 4 counters; with `add`, also the conservative update: only the counters at
   * that minimum grow, up to MAX_COUNT. Unrolled with locals: this runs on every cache hit.
   */
  private probe(h: number, block: number, add: boolean): number {
    const table = this.table;
    const g = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d); // 4 bits per row from its top 16
    const i0 = (g >>> 16) & 15;
    const i1 = (g >>> 20) & 15;
    const i2 = (g >>> 24) & 15;
    const i3 = g >>> 28;
    const w0 = block + (i0 >>> 3);
    const w1 = block + 2 + (i1 >>> 3);
    const w2 = block + 4 + (i2 >>> 3);
    const w3 = block + 6 + (i3 >>> 3);
    const s0 = (i0 & 7) << 2;
    const s1 = (i1 & 7) << 2;
    const s2 = (i2 & 7) << 2;
    const s3 = (i3 & 7) << 2;
    const v0 = ((table[w0] as number) >>> s0) & MAX_COUNT;
    const v1 = ((table[w1] as number) >>> s1) & MAX_COUNT;
    const v2 = ((table[w2] as number) >>> s2) & MAX_COUNT;
    const v3 = ((table[w3] as number) >>> s3) & MAX_COUNT;
    const min = Math.min(Math.min(v0, v1), Math.min(v2, v3));
    if (add && min < MAX_COUNT) {
      // each row has its own two words of the block, so the four words are distinct; bitwise only, so
      // no int32 overflow check in optimised code
      if (v0 === min) table[w0] = ((table[w0] as number) & ~(MAX_COUNT << s0)) | ((v0 + 1) << s0);
      if (v1 === min) table[w1] = ((table[w1] as number) & ~(MAX_COUNT << s1)) | ((v1 + 1) << s1);
      if (v2 === min) table[w2] = ((table[w2] as number) & ~(MAX_COUNT << s2)) | ((v2 + 1) << s2);
      if (v3 === min) table[w3] = ((table[w3] as number) & ~(MAX_COUNT << s3)) | ((v3 + 1) << s3);
    }
    return min;
  }

  /** Halves every counter (each 4-bit lane shifted right, the bit crossing from the next lane masked off) and empties the doorkeeper. */
  private age(): void {
    const table = this.table;
    for (let block = 0; block < table.length; block += BLOCK_WORDS) {
      for (let i = block; i < block + 8; i++) table[i] = ((table[i] as number) >>> 1) & 0x77777777;
      table.fill(0, block + 8, block + BLOCK_WORDS);
    }
    this.recorded = 0;
  }
}
