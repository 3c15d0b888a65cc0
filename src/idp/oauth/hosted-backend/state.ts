/**
 * The hosted backend's own OAuth `state`: base64url JSON `{"c": clientId, "r": the app's redirect URI,
 * "s": the app's state, "b": the PKCE challenge}` (FusionAuth's state also starts `{"c":"<clientId>"`).
 *
 * `b` binds the state to the browser that started the sign-in: `/app/callback` goes on only when the
 * SHA-256 of the verifier in that browser's HttpOnly `app.pkce_v` cookie equals it. A callback URL made
 * by someone else (login CSRF: their code and state, sent to a victim) fails here, before any code is
 * redeemed; the redirect URI in the state is checked against the application again, never trusted.
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual, randomToken } from '../../crypto/secrets.js';

export interface HostedState {
  c: string;
  r: string;
  s?: string;
  b: string;
}

const MAX_STATE = 6000;

export function newVerifier(): { verifier: string; challenge: string } {
  const verifier = randomToken(32);
  return { verifier, challenge: challengeOf(verifier) };
}

export function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function encodeState(state: HostedState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodeState(value: string | undefined): HostedState | undefined {
  if (value === undefined || value.length > MAX_STATE || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { c, r, s, b } = parsed;
    if (typeof c !== 'string' || typeof r !== 'string' || typeof b !== 'string' || (s !== undefined && typeof s !== 'string')) return undefined;
    return { c, r, b, ...(s === undefined ? {} : { s }) };
  } catch {
    return undefined;
  }
}

/** True when `verifier` (from the browser's cookie) is the one the state was made for. */
export function boundTo(state: HostedState, verifier: string | undefined): boolean {
  return verifier !== undefined && constantTimeEqual(challengeOf(verifier), state.b);
}
