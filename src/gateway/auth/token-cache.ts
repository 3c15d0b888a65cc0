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

interface Entry<V> {
  value: V;
  expiresAtMs: number;
}

export class LruCache<V> {
  private readonly map = new Map<string, Entry<V>>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string, nowMs: number): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.map.delete(key);
      return undefined;
    }
    // Most recently used last: re-insert. Map keeps insertion order, so the first key is the oldest.
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, expiresAtMs: number): void {
    if (this.maxEntries <= 0) return;
    this.map.delete(key);
    if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
    this.map.set(key, { value, expiresAtMs });
  }

  clear(): void {
    this.map.clear();
  }
}
