/**
 * Compact JWS signing with node:crypto for the keys of Key Master. The header is `{alg, typ:"JWT", gty?, kid}`
 * in that order and the claims keep the caller's order, so tokens read like FusionAuth's.
 * Ed25519 keys sign with the JOSE name `EdDSA` (RFC 8037).
 */
import { createHmac, createPrivateKey, createSecretKey, sign, type KeyObject } from 'node:crypto';
import type { Key, KeyAlgorithm } from '../model/types.js';

export function joseAlgorithm(algorithm: KeyAlgorithm): string {
  return algorithm === 'Ed25519' ? 'EdDSA' : algorithm;
}

const DIGEST: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** A key ready to sign: parsed once, reused for every token. */
export class JwsSigner {
  private readonly keyObject: KeyObject;
  private readonly digest: string | null;
  private readonly hmac: boolean;
  private readonly ec: boolean;
  readonly alg: string;

  constructor(readonly key: Key) {
    this.alg = joseAlgorithm(key.algorithm);
    this.hmac = key.type === 'HMAC';
    this.ec = key.type === 'EC';
    this.digest = key.type === 'OKP' ? null : (DIGEST[key.algorithm.slice(2)] ?? 'sha256');
    if (this.hmac) {
      if (key.secret === undefined) throw new Error(`key ${key.id} has no secret`);
      this.keyObject = createSecretKey(Buffer.from(key.secret, 'base64'));
    } else {
      if (key.privateKey === undefined) throw new Error(`key ${key.id} has no private key`);
      this.keyObject = createPrivateKey(key.privateKey);
    }
  }

  /** Signs `claims` (serialised in their own order) with an optional `gty` header. */
  sign(claims: Record<string, unknown>, gty?: readonly string[]): string {
    const header = gty === undefined || gty.length === 0 ? { alg: this.alg, typ: 'JWT', kid: this.key.kid } : { alg: this.alg, typ: 'JWT', gty, kid: this.key.kid };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    let signature: Buffer;
    if (this.hmac) signature = createHmac(this.digest!, this.keyObject).update(input).digest();
    else if (this.ec) signature = sign(this.digest, Buffer.from(input), { key: this.keyObject, dsaEncoding: 'ieee-p1363' });
    else signature = sign(this.digest, Buffer.from(input), this.keyObject);
    return `${input}.${signature.toString('base64url')}`;
  }
}
