/**
 * A per-client cap on second-factor attempts, in front of the per-`twoFactorId` cap and the tenant's
 * lockout (challenge.ts): at most `ATTEMPTS_PER_MINUTE` code submissions a minute from one address, per
 * process, whatever the user or `twoFactorId`. Beyond that the answer is 429 with `Retry-After`.
 * Emailed codes have their own cap per user: `SENDS_PER_MINUTE` (FusionAuth's `sendTwoFactor` default,
 * 5 a minute), whoever asks.
 */
import type { IdpContext } from '../../context.js';

export const ATTEMPTS_PER_MINUTE = 20;
export const SENDS_PER_MINUTE = 5;
const WINDOW_MS = 60_000;
const MAX_KEYS = 10_000;

class AttemptWindow {
  private readonly counts = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: number) {}

  /** Counts one attempt; returns the seconds to wait when over the limit, else undefined. */
  take(key: string, now: number): number | undefined {
    let entry = this.counts.get(key);
    if (entry === undefined || now - entry.start >= WINDOW_MS) {
      if (this.counts.size >= MAX_KEYS) this.prune(now);
      entry = { start: now, count: 0 };
      this.counts.set(key, entry);
    }
    entry.count++;
    return entry.count > this.limit ? Math.max(1, Math.ceil((entry.start + WINDOW_MS - now) / 1000)) : undefined;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.counts) if (now - entry.start >= WINDOW_MS) this.counts.delete(key);
    if (this.counts.size >= MAX_KEYS) this.counts.clear();
  }
}

const attempts = new WeakMap<IdpContext, AttemptWindow>();
const sends = new WeakMap<IdpContext, AttemptWindow>();

function take(windows: WeakMap<IdpContext, AttemptWindow>, limit: number, ctx: IdpContext, key: string): number | undefined {
  let counter = windows.get(ctx);
  if (counter === undefined) {
    counter = new AttemptWindow(limit);
    windows.set(ctx, counter);
  }
  return counter.take(key, ctx.now());
}

/** Counts a second-factor attempt from `address`; the seconds to wait when refused. */
export function takeCodeAttempt(ctx: IdpContext, address: string): number | undefined {
  return take(attempts, ATTEMPTS_PER_MINUTE, ctx, address);
}

/** Counts an emailed code for `userId`; the seconds to wait when refused. */
export function takeSendAttempt(ctx: IdpContext, userId: string): number | undefined {
  return take(sends, SENDS_PER_MINUTE, ctx, userId);
}
