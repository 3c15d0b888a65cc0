/**
 * What the gateway's cookies hold: the sign-in in progress (state, nonce, PKCE verifier, return path —
 * bound to this browser by its sealed cookie) and the session (the tokens). Both are sealed
 * (sealed-cookie.ts); these functions only check the shapes and expiries of what opened.
 */
import type { TokenSet } from './oidc-client.js';

export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly returnTo: string;
  /** Epoch ms after which the sign-in is refused. */
  readonly expires: number;
}

export interface Session {
  /** Random id: the key of the single-flight refresh. */
  readonly sid: string;
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
  /** Epoch ms the access token expires. */
  readonly accessExpires: number;
  /** Epoch ms the session ends whatever the tokens say (cookie max_age). */
  readonly ends: number;
}

export function asPendingLogin(value: unknown, now: number): PendingLogin | undefined {
  const v = value as Partial<PendingLogin> | undefined;
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  if (typeof v.state !== 'string' || typeof v.nonce !== 'string' || typeof v.verifier !== 'string' || typeof v.returnTo !== 'string' || typeof v.expires !== 'number') return undefined;
  return v.expires > now ? (v as PendingLogin) : undefined;
}

export function asSession(value: unknown, now: number): Session | undefined {
  const v = value as Partial<Session> | undefined;
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  if (typeof v.sid !== 'string' || typeof v.accessToken !== 'string' || typeof v.accessExpires !== 'number' || typeof v.ends !== 'number') return undefined;
  if (v.refreshToken !== undefined && typeof v.refreshToken !== 'string') return undefined;
  if (v.idToken !== undefined && typeof v.idToken !== 'string') return undefined;
  return v.ends > now ? (v as Session) : undefined;
}

export function sessionFrom(sid: string, tokens: TokenSet, ends: number, previous?: Session): Session {
  return {
    sid,
    accessToken: tokens.accessToken,
    // an IdP that does not rotate refresh tokens answers a refresh without one: keep the old
    refreshToken: tokens.refreshToken ?? previous?.refreshToken,
    idToken: tokens.idToken ?? previous?.idToken,
    accessExpires: tokens.expiresAt,
    ends,
  };
}
