/**
 * What one gateway process knows about revoked tokens: users with the instant of their latest
 * revocation, and revoked `jti`s. Every policy of the process consults it after the verified-token cache
 * and after verification, so a cached token is denied as soon as its revocation arrives — the cache is
 * never trusted past a revocation and needs no clearing.
 *
 * Hot path: with nothing revoked and the feed current (the idle case), `check` is two field reads and
 * two compares. Entries are dropped once their `until` has passed (every token they could deny expired).
 */
import type { Revocation } from '../../../shared/revocation-record.js';

export const NOT_REVOKED = 0;
export const REVOKED = 1;
export const UNAVAILABLE = 2;
export type RevocationVerdict = typeof NOT_REVOKED | typeof REVOKED | typeof UNAVAILABLE;

interface UserEntry {
  /** Tokens with iat ≤ this (epoch seconds) are revoked. */
  atSeconds: number;
  untilMs: number;
}

export class RevocationList {
  private readonly users = new Map<string, UserEntry>();
  private readonly jtis = new Map<string, number>();
  private empty = true;
  /** Unavailable-and-fail-closed, precomputed: whether `check` must answer UNAVAILABLE for every token. */
  private refuseAll: boolean;
  private current = false;

  constructor(private readonly failClosed: boolean) {
    this.refuseAll = failClosed;
  }

  /** `sub`, `iat` (seconds) and `jti` of a verified token; iat undefined: issued at an unknown time. */
  check(sub: string | undefined, iat: number | undefined, jti: string | undefined): RevocationVerdict {
    if (!this.empty) {
      if (sub !== undefined) {
        const user = this.users.get(sub);
        // without iat a token cannot show it was issued after the revocation
        if (user !== undefined && (iat === undefined || iat <= user.atSeconds)) return REVOKED;
      }
      if (jti !== undefined && this.jtis.has(jti)) return REVOKED;
    }
    return this.refuseAll ? UNAVAILABLE : NOT_REVOKED;
  }

  /** Whether the feed is connected and caught up; while it is not, a fail-closed list refuses every token. */
  setCurrent(current: boolean): void {
    this.current = current;
    this.refuseAll = this.failClosed && !current;
  }

  get isCurrent(): boolean {
    return this.current;
  }

  get size(): number {
    return this.users.size + this.jtis.size;
  }

  apply(r: Revocation, nowMs: number): void {
    if (r.until <= nowMs) return;
    if (r.kind === 'jti') {
      this.jtis.set(r.jti, Math.max(r.until, this.jtis.get(r.jti) ?? 0));
    } else {
      const atSeconds = Math.floor(r.at / 1000);
      const known = this.users.get(r.sub);
      if (known === undefined) this.users.set(r.sub, { atSeconds, untilMs: r.until });
      else {
        known.atSeconds = Math.max(known.atSeconds, atSeconds);
        known.untilMs = Math.max(known.untilMs, r.until);
      }
    }
    this.empty = false;
  }

  /** Drops entries that can no longer deny anything. */
  purge(nowMs: number): void {
    for (const [sub, entry] of this.users) if (entry.untilMs <= nowMs) this.users.delete(sub);
    for (const [jti, until] of this.jtis) if (until <= nowMs) this.jtis.delete(jti);
    this.empty = this.users.size === 0 && this.jtis.size === 0;
  }
}
