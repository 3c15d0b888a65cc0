/**
 * The deny response for a reason, in the policy's response mode. Built once per distinct answer and
 * shared (frozen), so a denial allocates nothing.
 *
 * - `seed`: what the seed's HAProxy rules answer — 403, Content-Type text/html, one of the six bodies,
 *   chosen by the stage of the seed's rule order that failed.
 * - `standards`: RFC 6750 — 401 with `WWW-Authenticate: Bearer ... error="invalid_token"` and a JSON
 *   body; a request without a Bearer credential gets the bare challenge (§3.1: no error code); a missing
 *   role or scope, or a user not registered to the application (require_registration), is 403
 *   `insufficient_scope`.
 */
import type { AuthDeny } from './types.js';
import { DENY_CODES, type DenyReason } from './reasons.js';

export type ResponseMode = 'seed' | 'standards';

/** The seed's rules, in order; a failure at stage N answers SEED_BODIES[N - 1]. */
export const SEED_BODIES = [
  'Missing Authorization HTTP header',
  'Unsupported JWT signing algorithm',
  'Invalid JWT issuer',
  'Invalid JWT audience',
  'Invalid JWT signature',
  'JWT has expired',
] as const;
/** Beyond the seed (a policy with roles or scopes): not one of the six bodies, see docs/security.md. */
export const SEED_SCOPE_BODY = 'Insufficient JWT role or scope';
/** Beyond the seed (require_registration): the user is not registered to the application; docs/auth.md. */
export const SEED_REGISTRATION_BODY = 'User is not registered to the JWT audience application';

export const STAGE_MISSING = 1;
export const STAGE_ALG = 2;
export const STAGE_ISSUER = 3;
export const STAGE_AUDIENCE = 4;
export const STAGE_SIGNATURE = 5;
export const STAGE_CLAIMS = 6;
export const STAGE_SCOPE = 7;
export const STAGE_REGISTRATION = 8;
export type Stage = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const DESCRIPTIONS: Record<DenyReason, string> = {
  MISSING: 'A bearer token is required',
  MALFORMED: 'The token is malformed',
  SIZE: 'The token is too large',
  ALG: 'The token signing algorithm is not accepted',
  HDR: 'The token header has an unsupported parameter',
  KEY: 'No key is available to verify the token',
  SIG: 'The token signature is invalid',
  TYPE: 'A token claim has the wrong type',
  EXP: 'The token has expired, has no expiry, or lives longer than allowed',
  NBF: 'The token is not valid yet',
  IAT: 'The token issue time is not acceptable',
  ISS: 'The token issuer is not accepted',
  AUD: 'The token audience is not accepted',
  CLAIM: 'The token lacks a required claim',
  FORWARD: 'A token claim cannot be forwarded',
  SCOPE: 'The token lacks a required role or scope',
  REGISTRATION: 'The user is not registered to the application',
  ORIGIN_MISSING: 'A cross-site request check failed: the request has neither Origin nor Referer',
  ORIGIN_FOREIGN: 'A cross-site request check failed: the request comes from an origin that is not allowed',
  REVOKED: 'The token has been revoked',
  REVOCATION_DOWN: 'Token revocation status is unavailable; try again shortly',
};

/** Reasons that are not a bad token: their own status and body in both modes (see docs/auth.md). */
const OWN_ANSWERS: Partial<Record<DenyReason, { status: number; error: string }>> = {
  ORIGIN_MISSING: { status: 403, error: 'invalid_request' },
  ORIGIN_FOREIGN: { status: 403, error: 'invalid_request' },
  REVOCATION_DOWN: { status: 503, error: 'temporarily_unavailable' },
};
/** Seed mode has no body for a revoked token among its six; it answers 403 like the others, with its own text. */
const SEED_REVOKED = { status: 403, error: 'invalid_token' };

export class ResponseBuilder {
  private readonly memo = new Map<string, AuthDeny>();
  private readonly realmParam: string;

  constructor(readonly mode: ResponseMode, realm: string | undefined) {
    this.realmParam = realm === undefined ? '' : `realm="${realm}"`;
  }

  /** `bare`: no Bearer credential at all (RFC 6750 §3.1: challenge without an error code). */
  deny(reason: DenyReason, stage: Stage, bare = false): AuthDeny {
    const key = this.mode === 'seed' ? `${reason}:${stage}` : `${reason}:${bare ? 1 : 0}`;
    let answer = this.memo.get(key);
    if (answer === undefined) {
      const own = OWN_ANSWERS[reason] ?? (this.mode === 'seed' && reason === 'REVOKED' ? SEED_REVOKED : undefined);
      answer = own !== undefined ? ownDeny(reason, own, this.mode) : this.mode === 'seed' ? seedDeny(reason, stage) : this.standardsDeny(reason, bare);
      this.memo.set(key, answer);
    }
    return answer;
  }

  insufficientScope(scopes: readonly string[]): AuthDeny {
    if (this.mode === 'seed') return this.deny('SCOPE', STAGE_SCOPE);
    const key = `SCOPE:${scopes.join(' ')}`;
    let answer = this.memo.get(key);
    if (answer === undefined) {
      const params = [this.realmParam, 'error="insufficient_scope"', `error_description="${DESCRIPTIONS.SCOPE}"`];
      const scopeText = scopes.filter((s) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)).join(' ');
      if (scopeText.length > 0) params.push(`scope="${scopeText}"`);
      answer = freezeDeny(403, challenge(params), { error: 'insufficient_scope', error_description: DESCRIPTIONS.SCOPE }, 'SCOPE');
      if (this.memo.size < 1000) this.memo.set(key, answer);
    }
    return answer;
  }

  private standardsDeny(reason: DenyReason, bare: boolean): AuthDeny {
    if (bare) return freezeDeny(401, challenge([this.realmParam]), { error: 'unauthorized', error_description: DESCRIPTIONS.MISSING }, reason);
    // a valid token of a user without a registration: authenticated, not allowed (RFC 6750 §3.1, 403)
    if (reason === 'REGISTRATION') {
      const params = [this.realmParam, 'error="insufficient_scope"', `error_description="${DESCRIPTIONS.REGISTRATION}"`];
      return freezeDeny(403, challenge(params), { error: 'insufficient_scope', error_description: DESCRIPTIONS.REGISTRATION }, reason);
    }
    const params = [this.realmParam, 'error="invalid_token"', `error_description="${DESCRIPTIONS[reason]}"`];
    return freezeDeny(401, challenge(params), { error: 'invalid_token', error_description: DESCRIPTIONS[reason] }, reason);
  }
}

function challenge(params: readonly string[]): string {
  const present = params.filter((p) => p.length > 0);
  return present.length === 0 ? 'Bearer' : `Bearer ${present.join(', ')}`;
}

/** Denials carry their length, as HAProxy's `http-request deny` answers do, rather than a chunked body. */
function freezeDeny(status: number, wwwAuthenticate: string, body: object, reason: DenyReason): AuthDeny {
  const text = JSON.stringify(body);
  return Object.freeze({
    ok: false as const,
    status,
    headers: Object.freeze({ 'www-authenticate': wwwAuthenticate, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' }),
    body: text,
    reason,
    code: DENY_CODES[reason],
  });
}

/** CSRF refusals and an unavailable revocation feed: no Bearer challenge (the token is not what failed). */
function ownDeny(reason: DenyReason, own: { status: number; error: string }, mode: ResponseMode): AuthDeny {
  const text = mode === 'seed' ? DESCRIPTIONS[reason] : JSON.stringify({ error: own.error, error_description: DESCRIPTIONS[reason] });
  const headers: Record<string, string> = { 'content-type': mode === 'seed' ? 'text/html' : 'application/json', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' };
  if (own.status === 503) headers['retry-after'] = '1';
  return Object.freeze({ ok: false as const, status: own.status, headers: Object.freeze(headers), body: text, reason, code: DENY_CODES[reason] });
}

function seedDeny(reason: DenyReason, stage: Stage): AuthDeny {
  const body = stage === STAGE_SCOPE ? SEED_SCOPE_BODY : stage === STAGE_REGISTRATION ? SEED_REGISTRATION_BODY : (SEED_BODIES[stage - 1] as string);
  const headers = Object.freeze({ 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body)) });
  return Object.freeze({ ok: false as const, status: 403, headers, body, reason, code: DENY_CODES[reason] });
}
