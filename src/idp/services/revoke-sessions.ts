/**
 * Ends everything that keeps a user signed in: refresh tokens and admin console sessions (and, as other
 * kinds of session are added, those too — this is the one place to extend). Called when a password is
 * changed or reset. Access tokens already issued stay valid until they expire (they are self-contained);
 * their lifetime is the tenant's or application's `timeToLiveInSeconds`.
 */
import type { IdpContext } from '../context.js';

export async function revokeUserSessions(ctx: IdpContext, userId: string): Promise<void> {
  await ctx.storage.refreshTokens.deleteWhere({ user_id: userId });
  await ctx.storage.adminSessions.deleteWhere({ user_id: userId });
}
