/**
 * The verified-token cache: a bounded LRU whose entries never outlive the token's exp, plus a smaller
 * negative cache so that a repeated bad token costs a hash and a map lookup. The policy clears both on
 * any key change, and a new policy (reload) starts empty. What enters the positive cache is decided by
 * the admission policy (admission.ts: seen before, and more often than the LRU entry it would evict, which
 * `victim()` shows without promoting it); `set` itself always inserts and evicts the LRU entry when full.
 *
 * Keys. Both caches are looked up by the token's last TAIL_CHARS characters (its signature), and an
 * entry only answers when the whole token is the same: a positive entry holds the exact token text that
 * verified and a hit needs `===` on the full text; a negative entry holds the SHA-256 digest of the
 * denied text and a negative hit needs the same digest. The tail only picks the entry to compare with.
 * Why: V8 hashes every character of a string used as a Map key, and a fresh ~800-character token per
 * request made the hash ~1.1 µs of a ~1.3 µs cache hit; hashing 32 characters and comparing the full
 * text costs ~0.15 µs. A tail shared by different texts (the same signature under another header or
 * payload, or chosen junk) therefore never hits: it is looked up, compared, and verified on its own.
 *
 * Memory. Valid tokens (bearer credentials) stay in the heap until their exp or eviction, bounded by
 * `max_entries` × `max_token_bytes`; they already pass through the heap with every request. Anyone can
 * send junk, so the negative cache never keeps token text: its Map key is a 32-bit number derived from
 * the tail (`tailHash`), and its entry keeps the 44-character digest. The digest is computed only when a
 * denial is stored or when a lookup finds an entry with the same tail hash, so a valid token that misses
 * pays no SHA-256.
 *
 * Neither key is an identity of the token's content: a different encoding of the same claims (an ECDSA
 * high-S twin, jwt-attacks D6; non-canonical base64url, A8) is different text, misses, and is verified
 * on its own. Nothing here is used for replay or jti decisions.
 */
import * as crypto from 'node:crypto';

/**
 * One-shot crypto.hash (Node ≥ 20.12) skips the Hash object: ~0.75 µs instead of ~1.35 µs for an
 * 800-byte token, paid on every repeated denial. Every Node `engines` allows (>=22) has it; the fallback
 * keeps the module loadable on an older one.
 */
const sha256base64: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('base64');

/** SHA-256 of the token's UTF-8 bytes, base64: what a negative-cache entry remembers instead of the text. */
export function tokenDigest(token: string): string {
  return sha256base64(token);
}

/** Characters of the token's end used to find its entry: 192 bits of a signature (≥ 43 characters for every JWS algorithm). */
export const TAIL_CHARS = 32;

/** The positive cache's lookup key: the token's last TAIL_CHARS characters (the whole text if shorter). */
export function tokenTail(token: string): string {
  return token.length <= TAIL_CHARS ? token : token.slice(token.length - TAIL_CHARS);
}

/**
 * FNV-1a over the token's last TAIL_CHARS characters, as a signed 32-bit integer (a small integer in
 * V8, so a Map lookup on it hashes nothing). The negative cache's key and what the admission sketch
 * counts sightings by; a positive entry keeps it, so a hit and the eviction victim need no rehashing.
 */
export function tailHash(token: string): number {
  let h = 0x811c9dc5;
  for (let i = token.length <= TAIL_CHARS ? 0 : token.length - TAIL_CHARS; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** One cache entry, also a node of the recency list (most recent at the head). */
class Entry<V, K> {
  prev: Entry<V, K> | null = null;
  next: Entry<V, K> | null = null;

  constructor(
    readonly key: K,
    public value: V,
    public expiresAtMs: number,
  ) {}
}

/**
 * Bounded LRU: a Map for lookup plus a doubly linked recency list, so a hit and an eviction are O(1)
 * pointer moves. (Re-inserting into the Map on every hit and evicting with `map.keys().next()` left
 * deleted slots at the front of V8's ordered table that every eviction scanned again: ~8 µs per insert
 * once full, against ~1.4 µs while filling.)
 */
export class LruCache<V, K extends string | number = string> {
  private readonly map = new Map<K, Entry<V, K>>();
  private head: Entry<V, K> | null = null;
  private tail: Entry<V, K> | null = null;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K, nowMs: number): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.remove(entry);
      return undefined;
    }
    if (entry !== this.head) {
      this.unlink(entry);
      this.pushHead(entry);
    }
    return entry.value;
  }

  /**
   * What `set` of a new key would evict and lose: the least recently used entry's value, without
   * promoting it; undefined when there is room or that entry has expired by `nowMs` (evicting it loses
   * nothing). The admission policy compares a candidate with it (admission.ts).
   */
  victim(nowMs: number): V | undefined {
    if (this.map.size < this.maxEntries || this.tail === null || this.tail.expiresAtMs <= nowMs) return undefined;
    return this.tail.value;
  }

  set(key: K, value: V, expiresAtMs: number): void {
    if (this.maxEntries <= 0) return;
    const existing = this.map.get(key);
    if (existing !== undefined) {
      existing.value = value;
      existing.expiresAtMs = expiresAtMs;
      if (existing !== this.head) {
        this.unlink(existing);
        this.pushHead(existing);
      }
      return;
    }
    if (this.map.size >= this.maxEntries && this.tail !== null) this.remove(this.tail);
    const entry = new Entry(key, value, expiresAtMs);
    this.map.set(key, entry);
    this.pushHead(entry);
  }

  clear(): void {
    this.map.clear();
    this.head = null;
    this.tail = null;
  }

  private remove(entry: Entry<V, K>): void {
    this.map.delete(entry.key);
    this.unlink(entry);
  }

  private unlink(entry: Entry<V, K>): void {
    if (entry.prev === null) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === null) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = null;
    entry.next = null;
  }

  private pushHead(entry: Entry<V, K>): void {
    entry.next = this.head;
    if (this.head !== null) this.head.prev = entry;
    this.head = entry;
    if (this.tail === null) this.tail = entry;
  }
}
