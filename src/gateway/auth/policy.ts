/**
 * One auth policy at request time: extractor → verified-token cache → verifier → requirements →
 * response. `authorize()` answers synchronously whenever no I/O is needed (every case except a token
 * naming an unknown kid of a remote key set while a refetch is allowed).
 */
import type { AuthAllow, AuthDecision, AuthDeny, AuthPolicy, AuthRequest, RouteRequirements } from './types.js';
import { extractBearer, NO_HEADER, NOT_BEARER } from './extract.js';
import type { ClaimForwarder } from './forward.js';
import { UNSAFE_CLAIM } from './forward.js';
import type { PolicyMetrics } from './metrics.js';
import type { DenyReason } from './reasons.js';
import { grantsOf, type Grants, type Requirements } from './requirements.js';
import { STAGE_ALG, STAGE_CLAIMS, STAGE_MISSING, type ResponseBuilder } from './response.js';
import { LruCache, tokenDigest } from './token-cache.js';
import { isFailure, type Verifier, type VerifyResult } from './verifier.js';
import type { ClaimRules } from './claims.js';

interface Granted {
  readonly allow: AuthAllow;
  readonly grants: Grants;
}

/** Denials that stay true for the same token bytes until keys or policy change. */
const NEGATIVE_CACHEABLE: ReadonlySet<DenyReason> = new Set<DenyReason>([
  'MALFORMED', 'SIZE', 'ALG', 'HDR', 'SIG', 'TYPE', 'EXP', 'ISS', 'AUD', 'CLAIM', 'FORWARD',
]);

export interface PolicyParts {
  readonly name: string;
  readonly maxTokenBytes: number;
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
  private readonly positive: LruCache<Granted> | undefined;
  private readonly negative: LruCache<AuthDeny> | undefined;
  private readonly negativeTtlMs: number;

  constructor(private readonly parts: PolicyParts) {
    this.name = parts.name;
    this.positive = parts.cache === false ? undefined : new LruCache(parts.cache.maxEntries);
    this.negative = parts.cache === false ? undefined : new LruCache(parts.cache.negativeMaxEntries);
    this.negativeTtlMs = parts.cache === false ? 0 : parts.cache.negativeTtlMs;
  }

  authorize(request: AuthRequest, requirements?: RouteRequirements): AuthDecision | Promise<AuthDecision> {
    const token = extractBearer(request.headers.authorization, this.parts.maxTokenBytes);
    if (typeof token !== 'string') {
      if (token === NO_HEADER) return this.deny('MISSING', STAGE_MISSING, true);
      if (token === NOT_BEARER) return this.deny('MALFORMED', STAGE_ALG, true);
      return this.deny('SIZE', STAGE_ALG);
    }
    if (token.length === 0) return this.deny('MALFORMED', STAGE_ALG);
    const now = this.parts.now();
    let digest: string | undefined;
    if (this.positive !== undefined) {
      digest = tokenDigest(token);
      const granted = this.positive.get(digest, now);
      if (granted !== undefined) {
        this.parts.metrics.cacheHit();
        return this.decide(granted, requirements);
      }
      const denied = (this.negative as LruCache<AuthDeny>).get(digest, now);
      if (denied !== undefined) {
        this.parts.metrics.cacheNegativeHit();
        this.parts.metrics.deny(denied.reason as DenyReason);
        return denied;
      }
      this.parts.metrics.cacheMiss();
    }
    const result = this.parts.verifier.verify(token, now);
    if (result instanceof Promise) return result.then((r) => this.finish(r, digest, requirements, now));
    return this.finish(result, digest, requirements, now);
  }

  /** Drops every cached decision; called on any key change. */
  clearCache(): void {
    this.positive?.clear();
    this.negative?.clear();
  }

  close(): void {
    this.clearCache();
    this.parts.onClose();
  }

  private finish(result: VerifyResult, digest: string | undefined, requirements: RouteRequirements | undefined, now: number): AuthDecision {
    if (isFailure(result)) {
      const denied = this.parts.responses.deny(result.reason, result.stage);
      if (digest !== undefined && NEGATIVE_CACHEABLE.has(result.reason)) (this.negative as LruCache<AuthDeny>).set(digest, denied, now + this.negativeTtlMs);
      this.parts.metrics.deny(result.reason);
      return denied;
    }
    const payload = result.payload;
    const setHeaders = this.parts.forwarder.headersFor(payload);
    if (setHeaders === UNSAFE_CLAIM) {
      const denied = this.parts.responses.deny('FORWARD', STAGE_CLAIMS);
      if (digest !== undefined) (this.negative as LruCache<AuthDeny>).set(digest, denied, now + this.negativeTtlMs);
      this.parts.metrics.deny('FORWARD');
      return denied;
    }
    const subject = typeof payload.sub === 'string' ? payload.sub : undefined;
    const allow: AuthAllow = Object.freeze(
      subject === undefined
        ? { ok: true as const, setHeaders, removeHeaders: this.parts.forwarder.removeHeaders }
        : { ok: true as const, setHeaders, removeHeaders: this.parts.forwarder.removeHeaders, subject },
    );
    const granted: Granted = { allow, grants: grantsOf(payload) };
    if (digest !== undefined) (this.positive as LruCache<Granted>).set(digest, granted, this.parts.claims.expiresAtMs(payload));
    return this.decide(granted, requirements);
  }

  private decide(granted: Granted, requirements: RouteRequirements | undefined): AuthDecision {
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
