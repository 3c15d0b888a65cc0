/**
 * An immutable set of verification keys with the lookup tables the verifier needs, built once per
 * load or fetch. Lookup is by exact kid in an in-memory map only (jwt-attacks C4): no file, URL or
 * database is ever touched with a token's kid. A token without kid, or whose kid names no key while the
 * set has unnamed keys (a PEM file, as in the seed), is tried against the keys of its algorithm only —
 * never "any key that verifies" across algorithms (B7).
 */
import type { Algorithm } from '../config.js';
import type { VerificationKey } from '../algorithms.js';

/** How many keys a token without a usable kid may be tried against before it is refused as ambiguous. */
export const MAX_CANDIDATES = 4;

export const SELECT_ALG = 'ALG';
export const SELECT_KEY = 'KEY';
export const SELECT_UNKNOWN_KID = 'UNKNOWN_KID';
export type SelectFailure = typeof SELECT_ALG | typeof SELECT_KEY | typeof SELECT_UNKNOWN_KID;

export class KeySet {
  readonly keys: readonly VerificationKey[];
  private readonly byKid = new Map<string, VerificationKey>();
  private readonly unnamedByAlg = new Map<Algorithm, VerificationKey[]>();
  private readonly allByAlg = new Map<Algorithm, VerificationKey[]>();

  /** Keys must have distinct kids (the loaders refuse or drop duplicates before this). */
  constructor(keys: readonly VerificationKey[]) {
    this.keys = Object.freeze([...keys]);
    for (const key of keys) {
      if (key.kid !== undefined) this.byKid.set(key.kid, key);
      for (const alg of key.algorithms) {
        push(this.allByAlg, alg, key);
        if (key.kid === undefined) push(this.unnamedByAlg, alg, key);
      }
    }
  }

  get size(): number {
    return this.keys.length;
  }

  hasKid(kid: string): boolean {
    return this.byKid.has(kid);
  }

  /** Candidate keys for a token, or why there are none. */
  select(alg: Algorithm, kid: string | undefined): readonly VerificationKey[] | SelectFailure {
    if (kid !== undefined) {
      const named = this.byKid.get(kid);
      if (named !== undefined) return named.algorithms.has(alg) ? [named] : SELECT_ALG;
      const unnamed = this.unnamedByAlg.get(alg);
      if (unnamed !== undefined) return unnamed.length <= MAX_CANDIDATES ? unnamed : SELECT_KEY;
      return SELECT_UNKNOWN_KID;
    }
    const all = this.allByAlg.get(alg);
    if (all === undefined) return this.keys.length === 0 ? SELECT_KEY : SELECT_ALG;
    return all.length <= MAX_CANDIDATES ? all : SELECT_KEY;
  }
}

function push(map: Map<Algorithm, VerificationKey[]>, alg: Algorithm, key: VerificationKey): void {
  const list = map.get(alg);
  if (list === undefined) map.set(alg, [key]);
  else list.push(key);
}

/** Splits keys into those with a unique kid (or none) and the kids that appear more than once (B10). */
export function dropDuplicateKids(keys: readonly VerificationKey[]): { keys: VerificationKey[]; duplicates: string[] } {
  const counts = new Map<string, number>();
  for (const k of keys) if (k.kid !== undefined) counts.set(k.kid, (counts.get(k.kid) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([kid]) => kid);
  return { keys: keys.filter((k) => k.kid === undefined || counts.get(k.kid) === 1), duplicates };
}
