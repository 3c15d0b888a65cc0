/**
 * Which public keys Gatehouse accepts at all (refused at load, never at request time): RSA of at least
 * 2048 bits with e = 65537 and no ROCA fingerprint (jwt-attacks B11–B13), EC on P-256/P-384/P-521, Ed25519/Ed448 — and which of
 * a policy's algorithms each key may verify.
 */
import type { KeyObject } from 'node:crypto';
import type { Algorithm } from '../config.js';
import { ALGORITHM_SPECS, type KeyFamily } from '../algorithms.js';
import { hasRocaFingerprint, rsaModulus } from './roca.js';

export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 16384;

export type SafeKey = { readonly family: KeyFamily; readonly signatureBytes: number } | { readonly problem: string };

export function classifyPublicKey(key: KeyObject): SafeKey {
  if (key.type !== 'public') return { problem: 'not a public key' };
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) return { problem: `RSA key of ${bits} bits (at least ${MIN_RSA_BITS} required)` };
      if (bits > MAX_RSA_BITS) return { problem: `RSA key of ${bits} bits (at most ${MAX_RSA_BITS})` };
      if (details.publicExponent !== 65537n) return { problem: 'RSA public exponent is not 65537' };
      if (hasRocaFingerprint(rsaModulus(key))) {
        return { problem: 'RSA modulus has the ROCA fingerprint (CVE-2017-15361: made by a vulnerable Infineon key generator; its private key can be recovered)' };
      }
      return { family: 'RSA', signatureBytes: Math.ceil(bits / 8) };
    }
    case 'ec': {
      const curve = details.namedCurve;
      if (curve === 'prime256v1') return { family: 'EC-P-256', signatureBytes: 64 };
      if (curve === 'secp384r1') return { family: 'EC-P-384', signatureBytes: 96 };
      if (curve === 'secp521r1') return { family: 'EC-P-521', signatureBytes: 132 };
      return { problem: `EC curve ${String(curve)} is not supported` };
    }
    case 'ed25519':
      return { family: 'OKP', signatureBytes: 64 };
    case 'ed448':
      return { family: 'OKP', signatureBytes: 114 };
    default:
      return { problem: `key type ${String(key.asymmetricKeyType)} cannot verify JWS signatures` };
  }
}

/** The policy's algorithms this key can verify, narrowed to `declaredAlg` when the key names one. */
export function algorithmsFor(family: KeyFamily, policyAlgorithms: readonly Algorithm[], declaredAlg?: string): Set<Algorithm> {
  const out = new Set<Algorithm>();
  for (const alg of policyAlgorithms) {
    if (ALGORITHM_SPECS[alg].family !== family) continue;
    if (declaredAlg !== undefined && declaredAlg !== alg) continue;
    out.add(alg);
  }
  return out;
}
