/**
 * One JWK → a verification key, or the reason it is refused or ignored. Refused: private key material,
 * `use` other than "sig", `key_ops` without "verify" (jwt-attacks B9), unsafe keys (B11–B13), a non-string
 * kid. Ignored: symmetric `oct` keys (B14: an HMAC secret never comes from a key set) and keys that fit
 * none of the policy's algorithms.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Algorithm } from '../config.js';
import { ALGORITHMS } from '../config.js';
import type { VerificationKey } from '../algorithms.js';
import { algorithmsFor, classifyPublicKey } from './key-safety.js';

export type JwkResult =
  | { readonly key: VerificationKey }
  | { readonly refused: string }
  | { readonly ignored: string };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const PUBLIC_MEMBERS: Record<string, readonly string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };
const KNOWN_ALGS: ReadonlySet<string> = new Set(ALGORITHMS);

export function keyFromJwk(jwk: Record<string, unknown>, policyAlgorithms: readonly Algorithm[], origin: string): JwkResult {
  const kty = jwk.kty;
  if (typeof kty !== 'string') return { refused: 'kty is missing or not a string' };
  const kid = jwk.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > 1024)) return { refused: 'kid is not a non-empty string of at most 1024 characters' };
  if (kty === 'oct') return { ignored: 'symmetric (oct) keys are never taken from a key set' };
  if (jwk.use !== undefined && jwk.use !== 'sig') return { refused: `use is ${JSON.stringify(jwk.use)}, not "sig"` };
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return { refused: 'key_ops does not include "verify"' };
  for (const member of PRIVATE_MEMBERS) {
    if (jwk[member] !== undefined) return { refused: 'holds private key material; publish only the public key' };
  }
  const alg = jwk.alg;
  if (alg !== undefined && (typeof alg !== 'string' || !KNOWN_ALGS.has(alg))) return { ignored: `alg ${JSON.stringify(alg)} is not a supported JWS algorithm` };
  const members = PUBLIC_MEMBERS[kty];
  if (members === undefined) return { refused: `kty ${JSON.stringify(kty)} is not supported` };
  const publicJwk: Record<string, unknown> = { kty };
  for (const m of members) {
    if (typeof jwk[m] !== 'string') return { refused: `${m} is missing or not a string` };
    publicJwk[m] = jwk[m];
  }
  let keyObject;
  try {
    keyObject = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
  } catch {
    return { refused: 'not a valid public key' };
  }
  const safe = classifyPublicKey(keyObject);
  if ('problem' in safe) return { refused: safe.problem };
  const algorithms = algorithmsFor(safe.family, policyAlgorithms, alg as string | undefined);
  if (algorithms.size === 0) return { ignored: 'fits none of the policy\'s algorithms' };
  return {
    key: Object.freeze({ kid: kid as string | undefined, family: safe.family, algorithms, key: keyObject, signatureBytes: safe.signatureBytes, origin }),
  };
}
