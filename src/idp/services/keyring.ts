/**
 * The keys of Key Master as the token path needs them: parsed signers cached per key id, the JWKS document
 * pre-serialised, and verification of tokens we issued. Any key write calls `invalidate()`; cached entries
 * also expire after `ttlMs` so several processes sharing one PostgreSQL database converge.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import type { Storage } from '../storage/index.js';
import type { Key } from '../model/types.js';
import { JwsSigner, joseAlgorithm } from '../crypto/jws.js';
import { publicJwk } from '../crypto/jwk.js';

export class KeyRing {
  private signers = new Map<string, JwsSigner>();
  private verifiers = new Map<string, { key: Key; object: KeyObject }>();
  private jwksBody: Promise<string> | undefined;
  private loadedAt = 0;

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 5_000,
  ) {}

  invalidate(): void {
    this.signers = new Map();
    this.verifiers = new Map();
    this.jwksBody = undefined;
  }

  private fresh(): void {
    const now = Date.now();
    if (now - this.loadedAt > this.ttlMs) {
      this.invalidate();
      this.loadedAt = now;
    }
  }

  /** The signer for a key id, or undefined when the key is gone or cannot sign. */
  async signer(keyId: string): Promise<JwsSigner | undefined> {
    this.fresh();
    const cached = this.signers.get(keyId);
    if (cached !== undefined) return cached;
    const key = await this.storage.keys.get(keyId);
    if (key === undefined || (key.type !== 'HMAC' && key.privateKey === undefined)) return undefined;
    const signer = new JwsSigner(key);
    this.signers.set(keyId, signer);
    return signer;
  }

  /** The JSON text of /.well-known/jwks.json: every asymmetric key, never HMAC. Cached until a key changes. */
  jwks(): Promise<string> {
    this.fresh();
    // single flight: concurrent readers after an invalidation share one load
    this.jwksBody ??= this.storage.keys.find().then(
      (keys) => JSON.stringify({ keys: keys.map(publicJwk).filter((k) => k !== undefined) }),
      (error: unknown) => {
        this.jwksBody = undefined;
        throw error;
      },
    );
    return this.jwksBody;
  }

  private async verifier(kid: string): Promise<{ key: Key; object: KeyObject } | undefined> {
    this.fresh();
    const cached = this.verifiers.get(kid);
    if (cached !== undefined) return cached;
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
    this.verifiers.set(kid, entry);
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
