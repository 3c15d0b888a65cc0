/**
 * Why a request was denied. The reason goes to logs and metrics, never into the response body; the
 * response builder maps it to what the client sees (RFC 6750 or the seed's HAProxy bodies).
 */
import { ErrorCode } from '../../shared/errors.js';
export const DENY_REASONS = [
  'MISSING', // no Authorization header, or not a Bearer credential
  'MALFORMED', // not a strict compact JWS: encoding, segments, JSON, duplicate members
  'SIZE', // over the token / JSON caps
  'ALG', // alg not in the policy's allow-list, or no key of that family
  'HDR', // forbidden or unsupported header parameter (crit, b64, cty, zip, enc, p2c, ...)
  'KEY', // no usable key (unknown kid, ambiguous kid)
  'SIG', // signature does not verify
  'TYPE', // claim of the wrong JSON type, or not finite / not exactly representable
  'EXP', // expired, exp missing, or exp beyond the policy's max lifetime
  'NBF', // not yet valid
  'IAT', // issued in the future, or iat required and missing
  'ISS', // issuer not accepted
  'AUD', // no accepted audience
  'CLAIM', // a required claim is missing
  'FORWARD', // a claim to forward holds characters a header cannot carry
  'SCOPE', // missing role or scope (403 insufficient_scope)
  'REGISTRATION', // require_registration: no applicationId/roles of the audience application (the user is not registered to it)
  'ORIGIN_MISSING', // token from a cookie, unsafe method, neither Origin nor Referer (403, CSRF defence)
  'ORIGIN_FOREIGN', // token from a cookie, unsafe method, Origin/Referer not an allowed origin (403, CSRF defence)
  'REVOKED', // the token's user was revoked at or after its iat, or its jti was revoked (401)
  'REVOCATION_DOWN', // the revocation feed is not current and `on_unavailable: deny` (503)
] as const;

export type DenyReason = (typeof DENY_REASONS)[number];

/** The stable error code of each reason (src/shared/errors.ts), for logs and callers that branch on codes. */
export const DENY_CODES: Readonly<Record<DenyReason, ErrorCode>> = Object.freeze({
  MISSING: ErrorCode.JWT_MISSING,
  MALFORMED: ErrorCode.JWT_MALFORMED,
  SIZE: ErrorCode.JWT_SIZE,
  ALG: ErrorCode.JWT_ALG,
  HDR: ErrorCode.JWT_HEADER,
  KEY: ErrorCode.JWT_KEY,
  SIG: ErrorCode.JWT_SIGNATURE,
  TYPE: ErrorCode.JWT_CLAIM_TYPE,
  EXP: ErrorCode.JWT_EXPIRED,
  NBF: ErrorCode.JWT_NOT_BEFORE,
  IAT: ErrorCode.JWT_ISSUED_AT,
  ISS: ErrorCode.JWT_ISSUER,
  AUD: ErrorCode.JWT_AUDIENCE,
  CLAIM: ErrorCode.JWT_CLAIM_MISSING,
  FORWARD: ErrorCode.JWT_CLAIM_UNSAFE,
  SCOPE: ErrorCode.JWT_INSUFFICIENT_SCOPE,
  REGISTRATION: ErrorCode.JWT_NOT_REGISTERED,
  ORIGIN_MISSING: ErrorCode.AUTH_ORIGIN_MISSING,
  ORIGIN_FOREIGN: ErrorCode.AUTH_ORIGIN_FOREIGN,
  REVOKED: ErrorCode.JWT_REVOKED,
  REVOCATION_DOWN: ErrorCode.REVOCATION_UNAVAILABLE,
});

/**
 * Where in the token a failure was found. The seed's HAProxy rules read the header, then the payload,
 * then verify the signature, so the seed response mode needs to know which part failed.
 */
export type TokenPart = 'header' | 'payload' | 'signature';
