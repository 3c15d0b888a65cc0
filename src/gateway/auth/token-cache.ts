/**
 * The verified-token cache: a bounded LRU whose entries never outlive the token's exp, plus a smaller
 * negative cache so that a repeated bad token costs a hash and a map lookup. The policy clears both on
 * any key change, and a new policy (reload) starts empty.
 *
 * Keys. A positive entry is keyed by the exact token text that verified: a hit is a Map lookup on the
 * string, with no SHA-256 per request (~2.5 µs saved on every cache hit). This is as strict as keying by a
 * digest of the text — Map equality is exact string equality, so only byte-identical text can hit, with
 * no collision to reason about — and only text that verified byte-exactly is ever stored. The cost is
 * that valid tokens (bearer credentials) stay in the heap until their exp or eviction, bounded by
 * `max_entries` × `max_token_bytes`; they already pass through the heap with every request.
 * Denials are keyed by the SHA-256 digest of the text (`tokenDigest`): anyone can send junk, so the
 * negative cache never keeps attacker-chosen text, only 44-character digests.
 *
 * Neither key is an identity of the token's content: a different encoding of the same claims (an ECDSA
 * high-S twin, jwt-attacks D6; non-canonical base64url, A8) is different text, misses, and is verified
 * on its own. Nothing here is used for replay or jti decisions.
 */
import { createHash } from 'node:crypto';

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64');
}

/** One cache entry, also a node of the recency list (most recent at the head). */
class Entry<V> {
  prev: Entry<V> | null = null;
  next: Entry<V> | null = null;

  constructor(
    readonly key: string,
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
export class LruCache<V> {
  private readonly map = new Map<string, Entry<V>>();
  private head: Entry<V> | null = null;
  private tail: Entry<V> | null = null;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string, nowMs: number): V | undefined {
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

  set(key: string, value: V, expiresAtMs: number): void {
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

  private remove(entry: Entry<V>): void {
    this.map.delete(entry.key);
    this.unlink(entry);
  }

  private unlink(entry: Entry<V>): void {
    if (entry.prev === null) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === null) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = null;
    entry.next = null;
  }

  private pushHead(entry: Entry<V>): void {
    entry.next = this.head;
    if (this.head !== null) this.head.prev = entry;
    this.head = entry;
    if (this.tail === null) this.tail = entry;
  }
}
