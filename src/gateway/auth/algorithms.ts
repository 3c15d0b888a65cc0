/**
 * What each JWS algorithm needs from a key and how its signature is checked. Verification calls
 * node:crypto (OpenSSL) directly and synchronously, with the length checks JWS requires done first:
 * ECDSA signatures are the fixed-size R‖S form (jwt-attacks D1–D5), RSA signatures are exactly the
 * modulus length (D10), PSS uses a salt as long as the hash (RFC 7518 §3.5, D8), Ed25519 is 64 bytes.
 */
import { constants, createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { Algorithm } from './config.js';

export type KeyFamily = 'RSA' | 'EC-P-256' | 'EC-P-384' | 'EC-P-521' | 'OKP' | 'oct';

export interface AlgorithmSpec {
  readonly name: Algorithm;
  readonly family: KeyFamily;
  /** Hash for node:crypto.verify; null for EdDSA. */
  readonly hash: string | null;
  readonly pss: boolean;
  /** Exact signature length in bytes, when fixed by the algorithm (ECDSA R‖S, Ed25519, HMAC). */
  readonly signatureBytes?: number;
}

const spec = (name: Algorithm, family: KeyFamily, hash: string | null, pss = false, signatureBytes?: number): AlgorithmSpec =>
  Object.freeze(signatureBytes === undefined ? { name, family, hash, pss } : { name, family, hash, pss, signatureBytes });

export const ALGORITHM_SPECS: Readonly<Record<Algorithm, AlgorithmSpec>> = Object.freeze({
  RS256: spec('RS256', 'RSA', 'sha256'),
  RS384: spec('RS384', 'RSA', 'sha384'),
  RS512: spec('RS512', 'RSA', 'sha512'),
  PS256: spec('PS256', 'RSA', 'sha256', true),
  PS384: spec('PS384', 'RSA', 'sha384', true),
  PS512: spec('PS512', 'RSA', 'sha512', true),
  ES256: spec('ES256', 'EC-P-256', 'sha256', false, 64),
  ES384: spec('ES384', 'EC-P-384', 'sha384', false, 96),
  ES512: spec('ES512', 'EC-P-521', 'sha512', false, 132),
  EdDSA: spec('EdDSA', 'OKP', null),
  HS256: spec('HS256', 'oct', 'sha256', false, 32),
  HS384: spec('HS384', 'oct', 'sha384', false, 48),
  HS512: spec('HS512', 'oct', 'sha512', false, 64),
});

const PSS_SALT: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** A verification key as the verifier uses it. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly family: KeyFamily;
  /** The algorithms of the policy this key may verify (JWK `alg` and key type narrowed already). */
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly key: KeyObject | Buffer;
  /** RSA modulus length in bytes; Ed25519 = 64 / Ed448 = 114 signature bytes; 0 otherwise. */
  readonly signatureBytes: number;
  /** Where it came from, for logs (file path, JWKS URL); never key material. */
  readonly origin: string;
}

export function verifySignature(alg: AlgorithmSpec, key: VerificationKey, data: Buffer, signature: Buffer): boolean {
  const fixed = alg.signatureBytes ?? key.signatureBytes;
  if (signature.length !== fixed) return false;
  if (alg.family === 'oct') {
    const mac = createHmac(alg.hash as string, key.key as Buffer).update(data).digest();
    return timingSafeEqual(mac, signature);
  }
  const keyObject = key.key as KeyObject;
  try {
    if (alg.family === 'RSA') {
      return alg.pss
        ? verify(alg.hash, data, { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[alg.hash as string] as number }, signature)
        : verify(alg.hash, data, { key: keyObject, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
    if (alg.family === 'OKP') return verify(null, data, keyObject, signature);
    return verify(alg.hash, data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false; // OpenSSL refuses some malformed inputs by throwing; that is a failed signature
  }
}
