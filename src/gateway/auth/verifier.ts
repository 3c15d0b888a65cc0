/**
 * The verifier: strict parse → alg allow-list → header rules → key selection → signature → claim rules,
 * in the order of the policy's response mode. The seed's HAProxy rules check alg, then iss, then aud,
 * then the signature, then exp; the seed mode keeps that order so that a token failing several checks
 * gets the same body as from HAProxy. The standards mode checks the signature before reading any claim.
 * The registration check (require_registration, beyond the seed) comes last in both.
 */
import type { Algorithm } from './config.js';
import { ALGORITHM_SPECS, verifySignature, type AlgorithmSpec, type VerificationKey } from './algorithms.js';
import type { ClaimRules } from './claims.js';
import { decodeHeader, decodePayload, decodeSignature, hasThreeSegments, locateParts, signingInput, splitCompact, type CompactToken, type PartResult } from './compact-jws.js';
import type { HeaderRules } from './header-rules.js';
import { SELECT_ALG, SELECT_KEY, SELECT_UNKNOWN_KID, type KeySet } from './keys/key-set.js';
import type { DenyReason } from './reasons.js';
import {
  STAGE_ALG, STAGE_AUDIENCE, STAGE_CLAIMS, STAGE_ISSUER, STAGE_REGISTRATION, STAGE_SIGNATURE, type ResponseMode, type Stage,
} from './response.js';

export interface Verified {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

export interface Failure {
  readonly reason: DenyReason;
  readonly stage: Stage;
}

export type VerifyResult = Verified | Failure;

export function isFailure(result: VerifyResult): result is Failure {
  return (result as Failure).reason !== undefined;
}

export interface KeyProvider {
  current(): KeySet;
  /** A shared refetch when a token names an unknown kid and one is allowed now; undefined otherwise. */
  refetchForUnknownKid(kid: string): Promise<unknown> | undefined;
}

const fail = (reason: DenyReason, stage: Stage): Failure => ({ reason, stage });

export class Verifier {
  private readonly allowed: ReadonlyMap<string, AlgorithmSpec>;
  private readonly seedOrder: boolean;
  /**
   * The last header segment decoded and its result. An issuer signs every token with the same few
   * headers (alg, typ, kid), and decoding one costs ~1 µs (base64url, UTF-8 and JSON checks, parse);
   * decodeHeader is a pure function of the segment text, so the same text gets the same (frozen) answer.
   * Holds one segment of the last token seen, like any in-flight request header.
   */
  private lastHeaderSegment = '';
  private lastHeader: PartResult = 'MALFORMED';

  constructor(
    algorithms: readonly Algorithm[],
    mode: ResponseMode,
    private readonly headerRules: HeaderRules,
    private readonly claims: ClaimRules,
    private readonly keys: KeyProvider,
  ) {
    this.allowed = new Map(algorithms.map((a) => [a, ALGORITHM_SPECS[a]]));
    this.seedOrder = mode === 'seed';
  }

  verify(text: string, nowMs: number): VerifyResult | Promise<VerifyResult> {
    // seed: header and payload are found where HAProxy's queries find them; the shape fails with the signature
    const token = this.seedOrder ? locateParts(text) : splitCompact(text);
    if (token === undefined) return fail('MALFORMED', STAGE_ALG);
    const header = this.header(token);
    if (typeof header === 'string') return fail(header, STAGE_ALG);
    const algName = header.alg;
    if (typeof algName !== 'string') return fail('MALFORMED', STAGE_ALG);
    const alg = this.allowed.get(algName);
    if (alg === undefined) return fail('ALG', STAGE_ALG);
    if (!this.seedOrder) {
      const headerProblem = this.headerRules.check(header);
      if (headerProblem !== undefined) return fail(headerProblem, STAGE_SIGNATURE);
    }
    const payload = decodePayload(token);
    if (typeof payload === 'string') return fail(payload, STAGE_ISSUER);
    if (this.seedOrder) {
      const early = this.issuerAndAudience(payload);
      if (early !== undefined) return early;
      const headerProblem = this.headerRules.check(header);
      if (headerProblem !== undefined) return fail(headerProblem, STAGE_SIGNATURE);
      if (!hasThreeSegments(token)) return fail('MALFORMED', STAGE_SIGNATURE);
    }
    const signature = this.checkSignature(token, header, alg);
    if (signature === undefined) return this.afterSignature(header, payload, nowMs);
    if (typeof signature === 'string') return fail(signature, STAGE_SIGNATURE);
    return signature.then((reason) => (reason === undefined ? this.afterSignature(header, payload, nowMs) : fail(reason, STAGE_SIGNATURE)));
  }

  private header(token: CompactToken): PartResult {
    // '' (seed mode's reading of `.p.s`) matches the initial value, whose answer is also right for it
    const segment = token.text.slice(0, token.dot1);
    if (segment === this.lastHeaderSegment) return this.lastHeader;
    const header = decodeHeader(token);
    this.lastHeaderSegment = segment;
    this.lastHeader = typeof header === 'string' ? header : Object.freeze(header);
    return this.lastHeader;
  }

  private issuerAndAudience(payload: Record<string, unknown>): Failure | undefined {
    const iss = this.claims.issuer(payload);
    if (iss !== undefined) return fail(iss, STAGE_ISSUER);
    const aud = this.claims.audience(payload);
    if (aud !== undefined) return fail(aud, STAGE_AUDIENCE);
    return undefined;
  }

  private afterSignature(header: Record<string, unknown>, payload: Record<string, unknown>, nowMs: number): VerifyResult {
    if (!this.seedOrder) {
      const early = this.issuerAndAudience(payload);
      if (early !== undefined) return early;
    }
    const times = this.claims.times(payload, nowMs);
    if (times !== undefined) return fail(times, STAGE_CLAIMS);
    const registration = this.claims.registration(payload);
    if (registration !== undefined) return fail(registration, STAGE_REGISTRATION);
    return { header, payload };
  }

  private checkSignature(token: CompactToken, header: Record<string, unknown>, alg: AlgorithmSpec): DenyReason | undefined | Promise<DenyReason | undefined> {
    const signature = decodeSignature(token);
    if (signature === undefined) return 'MALFORMED';
    const kid = header.kid as string | undefined;
    const candidates = this.keys.current().select(alg.name, kid);
    if (candidates === SELECT_UNKNOWN_KID) {
      const refetch = this.keys.refetchForUnknownKid(kid as string);
      if (refetch === undefined) return 'KEY';
      return refetch.then(() => {
        const again = this.keys.current().select(alg.name, kid);
        return typeof again === 'string' ? (again === SELECT_ALG ? 'ALG' : 'KEY') : verifyAny(again, alg, token, signature);
      });
    }
    if (candidates === SELECT_ALG) return 'ALG';
    if (candidates === SELECT_KEY) return 'KEY';
    return verifyAny(candidates, alg, token, signature);
  }
}

function verifyAny(candidates: readonly VerificationKey[], alg: AlgorithmSpec, token: CompactToken, signature: Buffer): DenyReason | undefined {
  const data = signingInput(token);
  for (let i = 0; i < candidates.length; i++) {
    if (verifySignature(alg, candidates[i] as VerificationKey, data, signature)) return undefined;
  }
  return 'SIG';
}
