/**
 * Ends everything that keeps a user signed in: refresh tokens, admin console sessions and SSO sessions
 * (this is the one place to extend as other kinds of session are added). Called when a password is
 * changed or reset. Access tokens already issued stay valid until they expire (they are self-contained);
 * their lifetime is the tenant's or application's `timeToLiveInSeconds`.
 */
import type { IdpContext } from '../context.js';

export async function revokeUserSessions(ctx: IdpContext, userId: string): Promise<void> {
  await ctx.storage.refreshTokens.deleteWhere({ user_id: userId });
  await ctx.storage.adminSessions.deleteWhere({ user_id: userId });
  await ctx.storage.ssoSessions.deleteWhere({ user_id: userId });
}
