/**
 * Claim rules, built once from the policy config: issuer list (byte-exact, jwt-attacks F13–F14),
 * audience any-of with string or array on either side (F15–F17), exp required and finite (F1–F7),
 * nbf and iat (F8–F11), clock skew (default 0, as the seed), maximum lifetime, required claims.
 * Every NumericDate must be a finite JSON number of magnitude below 2^53 (E3, F6). With
 * `require_registration`, FusionAuth's mark of a registered user: `applicationId` naming the audience.
 */
import type { DenyReason } from './reasons.js';

export interface ClaimRuleOptions {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly clockSkewMs: number;
  readonly maxLifetimeMs: number | undefined;
  readonly requireIat: boolean;
  readonly requiredClaims: readonly string[];
  /** FusionAuth's registration claims must name the audience application (`require_registration`). */
  readonly requireRegistration: boolean;
}

const LIMIT = 2 ** 53;

/** undefined: absent; NaN: present but not a usable NumericDate; otherwise seconds. */
function numericDate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) >= LIMIT) return Number.NaN;
  return value;
}

export class ClaimRules {
  private readonly issuers: ReadonlySet<string>;
  private readonly audiences: ReadonlySet<string>;
  private readonly skewSeconds: number;
  private readonly maxLifetimeSeconds: number;

  constructor(private readonly options: ClaimRuleOptions) {
    this.issuers = new Set(options.issuers);
    this.audiences = new Set(options.audiences);
    this.skewSeconds = options.clockSkewMs / 1000;
    this.maxLifetimeSeconds = options.maxLifetimeMs === undefined ? Infinity : options.maxLifetimeMs / 1000;
  }

  issuer(payload: Record<string, unknown>): DenyReason | undefined {
    const iss = payload.iss;
    return typeof iss === 'string' && this.issuers.has(iss) ? undefined : 'ISS';
  }

  audience(payload: Record<string, unknown>): DenyReason | undefined {
    const aud = payload.aud;
    if (typeof aud === 'string') return this.audiences.has(aud) ? undefined : 'AUD';
    if (aud === undefined) return 'AUD';
    if (!Array.isArray(aud)) return 'TYPE';
    let found = false;
    for (let i = 0; i < aud.length; i++) {
      const entry: unknown = aud[i];
      if (typeof entry !== 'string') return 'TYPE';
      if (this.audiences.has(entry)) found = true;
    }
    return found ? undefined : 'AUD';
  }

  /** exp, nbf, iat, lifetime and required claims, at `nowMs`. */
  times(payload: Record<string, unknown>, nowMs: number): DenyReason | undefined {
    const now = nowMs / 1000;
    const exp = numericDate(payload.exp);
    if (exp === undefined) return 'EXP';
    if (Number.isNaN(exp)) return 'TYPE';
    if (exp <= now - this.skewSeconds) return 'EXP';
    const nbf = numericDate(payload.nbf);
    if (nbf !== undefined) {
      if (Number.isNaN(nbf)) return 'TYPE';
      if (nbf > now + this.skewSeconds) return 'NBF';
    }
    const iat = numericDate(payload.iat);
    if (iat === undefined) {
      if (this.options.requireIat) return 'IAT';
    } else {
      if (Number.isNaN(iat)) return 'TYPE';
      if (iat > now + this.skewSeconds) return 'IAT';
      if (exp - iat > this.maxLifetimeSeconds) return 'EXP';
    }
    if (exp - now > this.maxLifetimeSeconds) return 'EXP';
    const required = this.options.requiredClaims;
    for (let i = 0; i < required.length; i++) {
      const value = payload[required[i] as string];
      if (value === undefined || value === null || !Object.hasOwn(payload, required[i] as string)) return 'CLAIM';
    }
    return undefined;
  }

  /**
   * FusionAuth puts `applicationId` and `roles` into a token only when the user is registered to the
   * application the token is for (its `aud`). Registered: `applicationId` is a string that is one of the
   * token's `aud` values and one of the policy's audiences, and `roles` is an array (possibly empty).
   * Called after `audience()` passed, so `aud` is a string or an array of strings.
   */
  registration(payload: Record<string, unknown>): DenyReason | undefined {
    if (!this.options.requireRegistration) return undefined;
    const id = payload.applicationId;
    if (typeof id !== 'string' || !this.audiences.has(id) || !Array.isArray(payload.roles)) return 'REGISTRATION';
    const aud = payload.aud;
    return aud === id || (Array.isArray(aud) && aud.includes(id)) ? undefined : 'REGISTRATION';
  }

  /** Wall-clock ms after which a token with this payload is expired (for the verified-token cache). */
  expiresAtMs(payload: Record<string, unknown>): number {
    return ((payload.exp as number) + this.skewSeconds) * 1000;
  }
}
