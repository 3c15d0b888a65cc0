/**
 * The verified-token cache: a bounded LRU keyed by the SHA-256 digest of the token text (the token
 * itself is never kept), whose entries never outlive the token's exp, plus a smaller negative cache so
 * that a repeated bad token costs a hash and a map lookup. The policy clears both on any key change,
 * and a new policy (reload) starts empty.
 *
 * The digest identifies the exact token bytes only; it is never used as a replay or jti identity
 * (an ECDSA high-S twin is a different, separately verified token: jwt-attacks D6).
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
