/**
 * The keys of Key Master as the token path needs them: parsed signers cached per key id, the JWKS document
 * pre-serialised, and verification of tokens we issued.
 *
 * Several processes can share one PostgreSQL database, each with this cache. A key write in any process
 * (`invalidate()`) drops the caches of every process: at once in the writer, and through the storage's
 * change feed (PostgreSQL LISTEN/NOTIFY) in the others; cached entries also expire after `ttlMs` (1 s on
 * PostgreSQL, on the injected clock) in case a notification is lost. A load that was in flight when the
 * caches were dropped does not put what it read back into them. So that no process signs with a key
 * another process's JWKS does not serve yet, a key is used for signing only once it is `publishDelayMs`
 * old (longer than the TTL): the first token signed with a key created a moment ago waits for the rest of
 * that delay.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jwtVerify, type JWTPayload } from 'jose';
import type { Storage } from '../storage/index.js';
import type { Key } from '../model/types.js';
import { JwsSigner, joseAlgorithm } from '../crypto/jws.js';
import { publicJwk } from '../crypto/jwk.js';

/** How long another process may still serve a key set without a key written now: PostgreSQL only. */
export const POSTGRES_CACHE_TTL_MS = 1_000;
export const POSTGRES_PUBLISH_DELAY_MS = 1_200;

export class KeyRing {
  private signers = new Map<string, JwsSigner>();
  private verifiers = new Map<string, { key: Key; object: KeyObject }>();
  private jwksBody: Promise<string> | undefined;
  private jwksReady: Buffer | undefined;
  private readonly documents = new Map<string, Promise<string>>();
  private loadedAt = 0;
  /** Bumped by every cache drop; a load started under an older generation does not fill the caches. */
  private generation = 0;
  /** Key ids already past the publication delay (kept across cache drops: a key only gets older). */
  private readonly published = new Set<string>();
  private readonly ttlMs: number;
  private readonly publishDelayMs: number;

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {
    const shared = storage.dialect === 'postgres';
    this.ttlMs = shared ? POSTGRES_CACHE_TTL_MS : 5_000;
    this.publishDelayMs = shared ? POSTGRES_PUBLISH_DELAY_MS : 0;
  }

  /** Listens for key changes made by other processes. */
  subscribe(): Promise<void> {
    return this.storage.feed.listen('keys', () => this.clear());
  }

  /** A key was written: drop this process's caches and tell the others. */
  invalidate(): void {
    this.clear();
    this.storage.feed.notify('keys').catch(() => {
      /* the others' caches expire within ttlMs anyway */
    });
  }

  private clear(): void {
    this.generation++;
    this.signers = new Map();
    this.verifiers = new Map();
    this.jwksBody = undefined;
    this.jwksReady = undefined;
    this.documents.clear();
  }

  /**
   * The JWKS answer as bytes, synchronously, when it is loaded and fresh (the fast path in http/fast-path.ts
   * serves it without going through the router); undefined otherwise, and then a load starts.
   */
  jwksNow(): Buffer | undefined {
    this.fresh();
    if (this.jwksReady !== undefined) return this.jwksReady;
    void this.jwks().catch(() => undefined);
    return undefined;
  }

  /**
   * A document derived from keys or tenants (the discovery documents), serialised once and kept until the
   * next key or tenant change (tenant writes invalidate the ring too) or the cache TTL.
   */
  document(name: string, build: () => Promise<string>): Promise<string> {
    this.fresh();
    let entry = this.documents.get(name);
    if (entry === undefined) {
      if (this.documents.size >= 64) this.documents.clear();
      entry = build().catch((error: unknown) => {
        this.documents.delete(name);
        throw error;
      });
      this.documents.set(name, entry);
    }
    return entry;
  }

  private fresh(): void {
    const now = this.now();
    if (now - this.loadedAt > this.ttlMs) {
      this.clear();
      this.loadedAt = now;
    }
  }

  /** The signer for a key id, or undefined when the key is gone or cannot sign. */
  async signer(keyId: string): Promise<JwsSigner | undefined> {
    this.fresh();
    const cached = this.signers.get(keyId);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const key = await this.storage.keys.get(keyId);
    if (key === undefined || (key.type !== 'HMAC' && key.privateKey === undefined)) return undefined;
    await this.untilPublished(key);
    const signer = new JwsSigner(key);
    if (generation === this.generation) this.signers.set(keyId, signer);
    return signer;
  }

  /** Waits until `key` is `publishDelayMs` old (at most that long, whatever the clock says). */
  private async untilPublished(key: Key): Promise<void> {
    if (this.publishDelayMs === 0 || this.published.has(key.id)) return;
    const wait = Math.min(this.publishDelayMs, key.insertInstant + this.publishDelayMs - this.now());
    if (wait > 0) await sleep(wait);
    this.published.add(key.id);
  }

  /** The JSON text of /.well-known/jwks.json: every asymmetric key, never HMAC. Cached until a key changes. */
  jwks(): Promise<string> {
    this.fresh();
    // single flight: concurrent readers after an invalidation share one load
    if (this.jwksBody === undefined) {
      const body: Promise<string> = this.storage.keys.find().then(
        (keys) => {
          const text = JSON.stringify({ keys: keys.map(publicJwk).filter((k) => k !== undefined) });
          if (this.jwksBody === body) this.jwksReady = Buffer.from(text);
          return text;
        },
        (error: unknown) => {
          if (this.jwksBody === body) this.jwksBody = undefined;
          throw error;
        },
      );
      this.jwksBody = body;
    }
    return this.jwksBody;
  }

  private async verifier(kid: string): Promise<{ key: Key; object: KeyObject } | undefined> {
    this.fresh();
    const cached = this.verifiers.get(kid);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const key = await this.storage.keys.findOne({ kid });
    if (key === undefined) return undefined;
    let object: KeyObject;
    if (key.type === 'HMAC') {
      if (key.secret === undefined) return undefined;
      object = createSecretKey(Buffer.from(key.secret, 'base64'));
    } else {
      if (key.publicKey === undefined) return undefined;
      object = createPublicKey(key.publicKey);
    }
    const entry = { key, object };
    if (generation === this.generation) this.verifiers.set(kid, entry);
    return entry;
  }

  /**
   * Verifies a token signed by one of our keys (the header's kid and alg must name the key and its
   * algorithm) and not expired. Returns the claims, or undefined for any failure.
   */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const header = JSON.parse(Buffer.from(token.split('.', 1)[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
      if (typeof header.kid !== 'string') return undefined;
      const entry = await this.verifier(header.kid);
      if (entry === undefined) return undefined;
      const { payload } = await jwtVerify(token, entry.object, { algorithms: [joseAlgorithm(entry.key.algorithm)], currentDate: new Date(this.now()) });
      return payload;
    } catch {
      return undefined;
    }
  }
}
