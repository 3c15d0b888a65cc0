/**
 * PKCE (RFC 7636), S256 only: `plain` would let anyone who saw the authorization request redeem the code.
 * The application's `proofKeyForCodeExchangePolicy` decides when it is mandatory: `Required`, `NotRequired`,
 * or `NotRequiredWhenUsingClientAuthentication` (mandatory for public clients).
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../crypto/secrets.js';
import type { Application } from '../model/types.js';
import { OAuthError, invalidRequest } from './errors.js';

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]; a challenge (base64url SHA-256) is exactly 43. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export type PkcePolicy = 'Required' | 'NotRequired' | 'NotRequiredWhenUsingClientAuthentication';

export function pkcePolicy(application: Application): PkcePolicy {
  const policy = application.oauthConfiguration.proofKeyForCodeExchangePolicy;
  return policy === 'Required' || policy === 'NotRequiredWhenUsingClientAuthentication' ? policy : 'NotRequired';
}

/** Validates the authorize request's challenge; returns it (undefined when none was sent). */
export function checkChallenge(challenge: string | undefined, method: string | undefined): string | undefined {
  if (challenge === undefined) {
    if (method !== undefined) invalidRequest('missing_code_challenge', 'The parameter [code_challenge_method] was given without [code_challenge].');
    return undefined;
  }
  if (method !== 'S256') invalidRequest('invalid_pkce_code_challenge_method', 'The [code_challenge_method] must be S256.');
  if (!CHALLENGE.test(challenge)) invalidRequest('invalid_pkce_code_challenge', 'The [code_challenge] must be the base64url SHA-256 of the code verifier (43 characters).');
  return challenge;
}

/** At authorize: a challenge is required by `Required`, and by nothing else (the client is not known to authenticate yet). */
export function challengeRequired(application: Application): boolean {
  return pkcePolicy(application) === 'Required';
}

/**
 * At the token endpoint. A code bound to a challenge needs the matching verifier whatever the policy (no
 * downgrade); a code without one is refused when the policy requires PKCE for this client.
 */
export function checkVerifier(application: Application, challenge: string | undefined, verifier: string | undefined, clientAuthenticated: boolean): void {
  if (challenge === undefined) {
    const policy = pkcePolicy(application);
    if (policy === 'Required' || (policy === 'NotRequiredWhenUsingClientAuthentication' && !clientAuthenticated)) {
      invalidRequest('missing_code_verifier', 'The application requires PKCE; the code was issued without a [code_challenge].');
    }
    if (verifier !== undefined) throw new OAuthError('invalid_grant', 'invalid_pkce_code_verifier', 'The code was issued without a [code_challenge]; no [code_verifier] is expected.');
    return;
  }
  if (verifier === undefined) invalidRequest('missing_code_verifier', 'The request is missing the required parameter [code_verifier].');
  if (!VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'invalid_pkce_code_verifier', 'The [code_verifier] is not valid.');
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  if (!constantTimeEqual(computed, challenge)) throw new OAuthError('invalid_grant', 'invalid_pkce_code_verifier', 'The [code_verifier] does not match the [code_challenge].');
}
