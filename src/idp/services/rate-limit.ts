/**
 * Rate limits on what sends email or checks one-time links: fixed windows counted in the database
 * (`rate_limits`, one atomic upsert per hit), so every instance on the same database shares the counts and
 * a restart does not reset them. Keys are SHA-256 digests (a login id or address never sits in the table
 * in clear); expired windows are deleted as new hits arrive, so the table holds at most one row per key
 * seen within the longest window.
 *
 * The limits, per window of 15 minutes:
 * - per client IP address, for each limited action: 20 (`perIp`);
 * - per login id, for email-sending actions: 3 (`perLoginId`) — a mailbox gets at most 3 reset or
 *   verification emails per 15 minutes, whoever asks.
 */
import type { IdpContext } from '../context.js';
import { sha256Hex } from '../crypto/secrets.js';

export type LimitedAction = 'forgotPassword' | 'verifyEmail' | 'verifyLink' | 'changePassword' | 'register';

export const RATE_LIMITS = { windowMs: 15 * 60_000, perIp: 20, perLoginId: 3 } as const;

/**
 * Counts one hit for `action` from `ip` (undefined for API-key callers: a backend calls for all its
 * users from one address) and for `loginId`, when given; false when over either limit.
 */
export async function allowHit(ctx: IdpContext, action: LimitedAction, ip: string | undefined, loginId?: string): Promise<boolean> {
  const now = ctx.now();
  const byIp = ip === undefined ? 0 : await ctx.storage.hitRateLimit(sha256Hex(`${action}|ip|${ip}`), now, RATE_LIMITS.windowMs);
  if (byIp > RATE_LIMITS.perIp) {
    ctx.logger.warn({ event: 'rate_limit.exceeded', action, by: 'ip' }, 'rate limit exceeded');
    return false;
  }
  if (loginId === undefined) return true;
  const byLogin = await ctx.storage.hitRateLimit(sha256Hex(`${action}|login|${loginId.trim().toLowerCase()}`), now, RATE_LIMITS.windowMs);
  if (byLogin > RATE_LIMITS.perLoginId) {
    ctx.logger.warn({ event: 'rate_limit.exceeded', action, by: 'loginId' }, 'rate limit exceeded');
    return false;
  }
  return true;
}
