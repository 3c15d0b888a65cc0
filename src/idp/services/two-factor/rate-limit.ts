/**
 * A per-client cap on second-factor attempts, in front of the per-`twoFactorId` cap and the tenant's
 * lockout (challenge.ts): at most `ATTEMPTS_PER_MINUTE` code submissions a minute from one address, per
 * process, whatever the user or `twoFactorId`. Beyond that the answer is 429 with `Retry-After`.
 */
import type { IdpContext } from '../../context.js';

export const ATTEMPTS_PER_MINUTE = 20;
const WINDOW_MS = 60_000;
const MAX_KEYS = 10_000;

class AttemptWindow {
  private readonly counts = new Map<string, { start: number; count: number }>();

  /** Counts one attempt; returns the seconds to wait when over the limit, else undefined. */
  take(key: string, now: number): number | undefined {
    let entry = this.counts.get(key);
    if (entry === undefined || now - entry.start >= WINDOW_MS) {
      if (this.counts.size >= MAX_KEYS) this.prune(now);
      entry = { start: now, count: 0 };
      this.counts.set(key, entry);
    }
    entry.count++;
    return entry.count > ATTEMPTS_PER_MINUTE ? Math.max(1, Math.ceil((entry.start + WINDOW_MS - now) / 1000)) : undefined;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.counts) if (now - entry.start >= WINDOW_MS) this.counts.delete(key);
    if (this.counts.size >= MAX_KEYS) this.counts.clear();
  }
}

const windows = new WeakMap<IdpContext, AttemptWindow>();

/** Counts a second-factor attempt from `address`; the seconds to wait when refused. */
export function takeCodeAttempt(ctx: IdpContext, address: string): number | undefined {
  let counter = windows.get(ctx);
  if (counter === undefined) {
    counter = new AttemptWindow();
    windows.set(ctx, counter);
  }
  return counter.take(address, ctx.now());
}
