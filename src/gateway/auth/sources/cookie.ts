/**
 * Finds one named cookie in the request's Cookie header (RFC 6265 §5.4 / §4.2.1: `name=value` pairs
 * separated by `;` and optional spaces). The size cap applies before the value is looked at; a value in
 * DQUOTEs is unquoted (cookie-value grammar); nothing is percent-decoded (a JWT never needs it).
 *
 * A name sent twice is refused, not resolved: a sibling subdomain or an insecure origin can plant a
 * second cookie of the same name ("cookie tossing"), and the browser's order says nothing about which
 * one the IdP set.
 */

export const NO_COOKIE = 0;
export const DUPLICATE_COOKIE = 1;
export const COOKIE_TOO_LONG = 2;
export type CookieFailure = typeof NO_COOKIE | typeof DUPLICATE_COOKIE | typeof COOKIE_TOO_LONG;

/**
 * `header`: the Cookie header as Node gives it (one string; several Cookie fields are joined with "; ").
 * Returns the value (possibly empty) or why there is none.
 */
export function findCookie(header: string | string[] | undefined, name: string, maxValueBytes: number): string | CookieFailure {
  if (header === undefined) return NO_COOKIE;
  const text = typeof header === 'string' ? header : header.join('; ');
  let found: string | undefined;
  let at = 0;
  const length = text.length;
  while (at < length) {
    let end = text.indexOf(';', at);
    if (end < 0) end = length;
    let start = at;
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    if (end - start > name.length && text.charCodeAt(start + name.length) === 0x3d /* = */ && text.startsWith(name, start)) {
      if (found !== undefined) return DUPLICATE_COOKIE;
      let valueStart = start + name.length + 1;
      let valueEnd = end;
      while (valueEnd > valueStart && isSpace(text.charCodeAt(valueEnd - 1))) valueEnd--;
      if (valueEnd - valueStart > maxValueBytes + 2) return COOKIE_TOO_LONG;
      if (valueEnd - valueStart >= 2 && text.charCodeAt(valueStart) === 0x22 && text.charCodeAt(valueEnd - 1) === 0x22) {
        valueStart++;
        valueEnd--;
      }
      if (valueEnd - valueStart > maxValueBytes) return COOKIE_TOO_LONG;
      found = text.slice(valueStart, valueEnd);
    }
    at = end + 1;
  }
  return found ?? NO_COOKIE;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
