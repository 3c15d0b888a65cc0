/** The public JWK of a Key Master key as FusionAuth publishes it in /.well-known/jwks.json. */
import { createPublicKey } from 'node:crypto';
import type { Key } from '../model/types.js';
import { pemToDer } from '../../shared/x509/index.js';
import { x5t, x5tS256 } from './certificate.js';
import { joseAlgorithm } from './jws.js';

export type PublicJwk = Record<string, unknown>;

/** undefined for HMAC keys and keys without public material: those are never published. */
export function publicJwk(key: Key): PublicJwk | undefined {
  if (key.type === 'HMAC' || key.publicKey === undefined) return undefined;
  const jwk = createPublicKey(key.publicKey).export({ format: 'jwk' }) as Record<string, string>;
  const entry: PublicJwk = { alg: joseAlgorithm(key.algorithm), ...sortedMembers(jwk), kid: key.kid, use: 'sig' };
  if (key.certificate !== undefined) {
    const der = pemToDer(key.certificate);
    entry.x5c = [der.toString('base64')];
    entry.x5t = x5t(der);
    entry['x5t#S256'] = x5tS256(der);
  }
  return entry;
}

function sortedMembers(jwk: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(jwk).sort()) out[name] = jwk[name]!;
  return out;
}
