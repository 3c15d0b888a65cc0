/**
 * Token extractor: the Authorization request header → the compact token text. The size cap applies
 * before anything looks inside the value (jwt-attacks A15). The scheme is matched case-insensitively
 * (RFC 9110 §11.1), followed by one or more spaces; surrounding spaces and tabs are stripped (A10) and
 * nothing else is: the strict parser refuses whatever is left that is not base64url or '.'.
 */

export const NO_HEADER = 0;
export const NOT_BEARER = 1;
export const TOO_LONG = 2;
export type ExtractFailure = typeof NO_HEADER | typeof NOT_BEARER | typeof TOO_LONG;

/** Returns the token (possibly empty), or why there is none. */
export function extractBearer(value: string | string[] | undefined, maxTokenBytes: number): string | ExtractFailure {
  if (value === undefined) return NO_HEADER;
  if (typeof value !== 'string') return NOT_BEARER; // never an array for Authorization in Node; refuse if it is
  // "Bearer " + token + some spaces: anything longer cannot hold a token within the cap.
  if (value.length > maxTokenBytes + 64) return TOO_LONG;
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  if (end - start < 6) return NOT_BEARER;
  if (!isBearerScheme(value, start)) return NOT_BEARER;
  let i = start + 6;
  if (i === end) return ''; // "Bearer" alone: a Bearer credential with an empty token
  if (value.charCodeAt(i) !== 0x20) return NOT_BEARER; // e.g. "Bearerx", "Bearer\tx"
  while (i < end && value.charCodeAt(i) === 0x20) i++;
  if (end - i > maxTokenBytes) return TOO_LONG;
  return value.slice(i, end);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isBearerScheme(value: string, at: number): boolean {
  // "bearer", ASCII case-insensitive, without allocating a lower-cased copy.
  const b = 'bearer';
  for (let k = 0; k < 6; k++) {
    if ((value.charCodeAt(at + k) | 0x20) !== b.charCodeAt(k)) return false;
  }
  return true;
}
