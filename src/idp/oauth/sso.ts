/**
 * The SSO side of `/oauth2/authorize`: whether the browser's SSO session (services/sso-session.ts) signs
 * the user in to this application without the form, and starting one after the form.
 *
 * A session serves any application of its tenant, still under that application's rules: an application
 * that requires registration gets the form for a user who is not registered; `prompt=login` or a
 * `max_age` older than the session's sign-in gets the form; an expired account or a required password
 * change gets the form (which then says why). The code carries the session's `auth_time`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import type { Application, Tenant, User } from '../model/types.js';
import { findSsoSession, startSsoSession, touchSsoSession } from '../services/sso-session.js';
import { freshEnough, type Prompt } from './prompt.js';

export interface SignedIn {
  user: User;
  /** Epoch seconds of the interactive sign-in. */
  authTime: number;
  registered: boolean;
}

/** The user signed in by the SSO session, or undefined when the form must be shown (or prompt=none fails). */
export async function ssoSignIn(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, application: Application, prompt: Prompt): Promise<SignedIn | undefined> {
  if (prompt.login) return undefined;
  const live = await findSsoSession(ctx, request, tenant);
  if (live === undefined || !freshEnough(prompt, live.session.authTime, ctx.now())) return undefined;
  const { user } = live;
  if ((user.expiry !== undefined && user.expiry <= ctx.now()) || user.passwordChangeRequired) return undefined;
  const registration = await ctx.storage.registrations.findOne({ user_id: user.id, application_id: application.id });
  if (registration === undefined && application.oauthConfiguration.requireRegistration === true) return undefined;
  await touchSsoSession(ctx, request, reply, tenant, live, application.id);
  return { user, authTime: live.session.authTime, registered: registration !== undefined };
}

/** After an interactive sign-in: a new SSO session (persistent with "Keep me signed in"). */
export async function rememberSignIn(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, application: Application, signedIn: SignedIn, keep: boolean): Promise<void> {
  await startSsoSession(ctx, request, reply, { tenant, user: signedIn.user, authTime: signedIn.authTime, persistent: keep, applicationId: application.id });
}
