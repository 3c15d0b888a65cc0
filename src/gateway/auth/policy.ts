/**
 * One auth policy at request time: extractor (the header, or the sources of token_from with the CSRF
 * origin check) → verified-token cache → verifier → revocation list → requirements → response.
 * `authorize()` answers synchronously whenever no I/O is needed (every case except a token naming an
 * unknown kid of a remote key set while a refetch is allowed). Every lookup of a valid token (a hit, or
 * a miss that verifies) is counted in the admission sketch, and a verified token enters the cache only
 * when admission.ts's TinyLFU rule admits it against the entry it would evict.
 */
import type { AuthAllow, AuthDecision, AuthDeny, AuthPolicy, AuthRequest, RouteRequirements } from './types.js';
import { extractBearer, NO_HEADER, NOT_BEARER } from './extract.js';
import type { ClaimForwarder } from './forward.js';
import { UNSAFE_CLAIM } from './forward.js';
import type { PolicyMetrics } from './metrics.js';
import type { DenyReason } from './reasons.js';
import { grantsOf, type Grants, type Requirements } from './requirements.js';
import { STAGE_ALG, STAGE_CLAIMS, STAGE_MISSING, type ResponseBuilder } from './response.js';
import { LruCache, tailHash, tokenDigest, tokenTail } from './token-cache.js';
import { isFailure, type Verifier, type VerifyResult } from './verifier.js';
import type { ClaimRules } from './claims.js';
import { FrequencySketch } from './admission.js';
import { DUPLICATE, ORIGIN_MISSING, ORIGIN_OK, type OriginCheck, type TokenSources } from './sources/index.js';
import { NOT_REVOKED, REVOKED, type RevocationList } from './revocation/index.js';

interface Granted {
  /** The exact text that verified: a hit needs the whole token to be equal, not just its tail. */
  readonly token: string;
  readonly allow: AuthAllow;
  readonly grants: Grants;
  /** What the revocation check needs, read once from the payload. */
  readonly sub: string | undefined;
  readonly iat: number | undefined;
  readonly jti: string | undefined;
  /** tailHash(token): what the admission sketch counts it by, read back on a hit or when it is the eviction victim. */
  readonly hash: number;
}

interface Denied {
  /** SHA-256 of the denied text: a negative hit needs the same digest, not just the same tail hash. */
  readonly digest: string;
  readonly deny: AuthDeny;
}

/** Denials that stay true for the same token bytes until keys or policy change. */
const NEGATIVE_CACHEABLE: ReadonlySet<DenyReason> = new Set<DenyReason>([
  'MALFORMED', 'SIZE', 'ALG', 'HDR', 'SIG', 'TYPE', 'EXP', 'ISS', 'AUD', 'CLAIM', 'FORWARD', 'REGISTRATION',
]);

export interface PolicyParts {
  readonly name: string;
  readonly maxTokenBytes: number;
  /** Cookie sources (token_from); undefined when the policy reads only the Authorization header. */
  readonly sources: TokenSources | undefined;
  /** The CSRF check of cookie-carried tokens; set whenever `sources` is. */
  readonly originCheck: OriginCheck | undefined;
  /** The process's revocation list, when the gateway has a `revocation:` feed and the policy uses it. */
  readonly revocations: RevocationList | undefined;
  readonly verifier: Verifier;
  readonly claims: ClaimRules;
  readonly requirements: Requirements;
  readonly forwarder: ClaimForwarder;
  readonly responses: ResponseBuilder;
  readonly metrics: PolicyMetrics;
  readonly cache: { readonly maxEntries: number; readonly negativeMaxEntries: number; readonly negativeTtlMs: number } | false;
  readonly now: () => number;
  readonly onClose: () => void;
}

export class JwtPolicy implements AuthPolicy {
  readonly name: string;
  readonly forwardedHeaders: readonly string[];
  private readonly positive: LruCache<Granted> | undefined;
  private readonly negative: LruCache<Denied, number> | undefined;
  private readonly negativeTtlMs: number;
  /** Admission: sightings of valid tokens, compared when the cache is full (admission.ts). */
  private readonly sketch: FrequencySketch | undefined;

  constructor(private readonly parts: PolicyParts) {
    this.name = parts.name;
    this.forwardedHeaders = parts.forwarder.headerNames;
    this.positive = parts.cache === false ? undefined : new LruCache(parts.cache.maxEntries);
    this.sketch = parts.cache === false ? undefined : new FrequencySketch(parts.cache.maxEntries);
    this.negative = parts.cache === false ? undefined : new LruCache(parts.cache.negativeMaxEntries);
    this.negativeTtlMs = parts.cache === false ? 0 : parts.cache.negativeTtlMs;
  }

  authorize(request: AuthRequest, requirements?: RouteRequirements): AuthDecision | Promise<AuthDecision> {
    const sources = this.parts.sources;
    const token = sources === undefined ? extractBearer(request.headers.authorization, this.parts.maxTokenBytes) : sources.extract(request.headers);
    if (typeof token !== 'string') {
      if (token === NO_HEADER) return this.deny('MISSING', STAGE_MISSING, true);
      if (token === NOT_BEARER) return this.deny('MALFORMED', STAGE_ALG, true);
      if (token === DUPLICATE) return this.deny('MALFORMED', STAGE_ALG);
      return this.deny('SIZE', STAGE_ALG);
    }
    if (token.length === 0) return this.deny('MALFORMED', STAGE_ALG);
    if (sources !== undefined && sources.fromCookie) {
      // CSRF: a cookie rides along on cross-site requests; unsafe methods must come from an allowed origin
      const origin = (this.parts.originCheck as OriginCheck).check(request.method, request.headers);
      if (origin !== ORIGIN_OK) return this.deny(origin === ORIGIN_MISSING ? 'ORIGIN_MISSING' : 'ORIGIN_FOREIGN', STAGE_MISSING);
    }
    const now = this.parts.now();
    let key: number | undefined;
    if (this.positive !== undefined) {
      // Both caches find an entry by the token's tail and answer only for the same whole token (exact
      // text for a verified one, its SHA-256 for a denied one); see token-cache.ts for why.
      const granted = this.positive.get(tokenTail(token), now);
      if (granted !== undefined && granted.token === token) {
        (this.sketch as FrequencySketch).record(granted.hash);
        this.parts.metrics.cacheHit();
        return this.decide(granted, requirements);
      }
      key = tailHash(token);
      const denied = (this.negative as LruCache<Denied, number>).get(key, now);
      if (denied !== undefined && denied.digest === tokenDigest(token)) {
        this.parts.metrics.cacheNegativeHit();
        this.parts.metrics.deny(denied.deny.reason as DenyReason);
        return denied.deny;
      }
      this.parts.metrics.cacheMiss();
    }
    const result = this.parts.verifier.verify(token, now);
    if (result instanceof Promise) return result.then((r) => this.finish(r, token, key, requirements, now));
    return this.finish(result, token, key, requirements, now);
  }

  /** Drops every cached decision; called on any key change. */
  clearCache(): void {
    this.positive?.clear();
    this.negative?.clear();
    this.sketch?.clear();
  }

  close(): void {
    this.clearCache();
    this.parts.onClose();
  }

  private finish(result: VerifyResult, token: string, key: number | undefined, requirements: RouteRequirements | undefined, now: number): AuthDecision {
    if (isFailure(result)) {
      const denied = this.parts.responses.deny(result.reason, result.stage);
      if (key !== undefined && NEGATIVE_CACHEABLE.has(result.reason)) this.rememberDenial(key, token, denied, now);
      this.parts.metrics.deny(result.reason);
      return denied;
    }
    const payload = result.payload;
    const setHeaders = this.parts.forwarder.headersFor(payload);
    if (setHeaders === UNSAFE_CLAIM) {
      const denied = this.parts.responses.deny('FORWARD', STAGE_CLAIMS);
      if (key !== undefined) this.rememberDenial(key, token, denied, now);
      this.parts.metrics.deny('FORWARD');
      return denied;
    }
    const subject = typeof payload.sub === 'string' ? payload.sub : undefined;
    const allow: AuthAllow = Object.freeze(
      subject === undefined
        ? { ok: true as const, setHeaders, removeHeaders: this.parts.forwarder.removeHeaders }
        : { ok: true as const, setHeaders, removeHeaders: this.parts.forwarder.removeHeaders, subject },
    );
    const granted: Granted = {
      token,
      allow,
      grants: grantsOf(payload),
      sub: subject,
      iat: typeof payload.iat === 'number' ? payload.iat : undefined,
      jti: typeof payload.jti === 'string' ? payload.jti : undefined,
      hash: key ?? 0,
    };
    if (key !== undefined) this.admit(granted, this.parts.claims.expiresAtMs(payload), now);
    return this.decide(granted, requirements);
  }

  /**
   * Records the sighting of a token that verified and caches it if TinyLFU admits it: seen before, and
   * either there is room (or the entry it would evict has expired) or the least recently used entry has
   * been seen strictly less often (admission.ts says why strict and deterministic is enough). The
   * candidate's frequency is read before this sighting is recorded: the victim is by definition the cached
   * token seen longest ago, so counting the candidate's sighting of now but not the victim's next one gave
   * every candidate a head start, and a loop over 3 × max_entries tokens churned (17 % hits and an insert
   * on 17 % of lookups in a simulation with max_entries 2,000) instead of keeping a third of them (33 %,
   * no inserts once settled).
   */
  private admit(granted: Granted, expiresAtMs: number, now: number): void {
    const sketch = this.sketch as FrequencySketch;
    const frequency = sketch.frequency(granted.hash);
    sketch.record(granted.hash);
    if (frequency === 0) return; // a first sighting: one-off tokens cost no insert
    const victim = (this.positive as LruCache<Granted>).victim(now);
    if (victim !== undefined && frequency <= sketch.frequency(victim.hash)) {
      this.parts.metrics.cacheRejected();
      return;
    }
    (this.positive as LruCache<Granted>).set(tokenTail(granted.token), granted, expiresAtMs);
    this.parts.metrics.cacheAdmitted();
  }

  /** A later token with the same tail hash but other text replaces this entry; it never answers for it. */
  private rememberDenial(key: number, token: string, deny: AuthDeny, now: number): void {
    (this.negative as LruCache<Denied, number>).set(key, { digest: tokenDigest(token), deny }, now + this.negativeTtlMs);
  }

  private decide(granted: Granted, requirements: RouteRequirements | undefined): AuthDecision {
    const revocations = this.parts.revocations;
    if (revocations !== undefined) {
      // after the cache too: a cached token is denied from the moment its revocation arrives
      const verdict = revocations.check(granted.sub, granted.iat, granted.jti);
      if (verdict !== NOT_REVOKED) return this.deny(verdict === REVOKED ? 'REVOKED' : 'REVOCATION_DOWN', STAGE_CLAIMS);
    }
    if (this.parts.requirements.allows(granted.grants, requirements)) {
      this.parts.metrics.allow();
      return granted.allow;
    }
    this.parts.metrics.deny('SCOPE');
    return this.parts.responses.insufficientScope(this.parts.requirements.scopeList(requirements));
  }

  private deny(reason: DenyReason, stage: Parameters<ResponseBuilder['deny']>[1], bare = false): AuthDeny {
    this.parts.metrics.deny(reason);
    return this.parts.responses.deny(reason, stage, bare);
  }
}
