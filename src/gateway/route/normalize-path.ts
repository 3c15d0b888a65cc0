/**
 * Request paths are normalised before routing, and the normalised path is what the upstream receives,
 * so a route can never match a path differently from how the upstream reads it (jwt-attacks.md I12).
 * The rules, and why each case is normalised or refused, are the table in docs/security.md
 * ("Request path normalisation and route matching"):
 *
 * - percent-encoded unreserved characters are decoded (`%2e` → `.`, `%7E` → `~`), other escapes upper-cased;
 * - `.` and `..` segments are removed (RFC 3986 §5.2.4), `..` never climbs above `/`;
 * - repeated slashes are merged;
 * - refused (undefined, 400) because backends disagree on what they mean:
 *   - encoded `/` `\` or control characters (`%2F`, `%5C`, `%00`), a raw `\`, anything outside visible
 *     ASCII, a malformed escape, a `#`, or a path not starting with `/`;
 *   - a `;` parameter on a dot or empty segment name (`/..;/`, `/.;x/`, `/;x/next`, also as `%3B`):
 *     Tomcat, Jetty and Spring strip parameters before resolving dot segments;
 *   - a segment name ending in `.` or an (encoded) space (`/private.`, `/private%20/x`): Windows trims them;
 *   - a double encoding: `%25` followed by two hex digits or `u` (`%252e`, `%252F`, `%2570rivate`,
 *     `%25u002e`): a backend that decodes twice reads `.`, `/`, `/private`;
 *   - an overlong UTF-8 sequence (`%C0%AE`, `%E0%80%AF`): a lax decoder reads `.`, `/`.
 *
 * An already-normal path (the common case) is returned as the same string after one scan, no allocation:
 * a path without `%`, `//`, a segment starting with `.`, a `;` right after `/` or `.`, or a segment ending
 * in `.` cannot meet any of the rules above.
 */
const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const SEMICOLON = 0x3b;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function isUnreserved(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === DOT || code === 0x5f || code === 0x7e
  );
}

export function normalizePath(path: string): string | undefined {
  const length = path.length;
  if (length === 0 || path.charCodeAt(0) !== SLASH) return undefined;
  let simple = true;
  let previous = 0;
  for (let i = 0; i < length; i++) {
    const code = path.charCodeAt(i);
    if (code < 0x21 || code > 0x7e || code === BACKSLASH || code === HASH) return undefined;
    if (
      code === PERCENT ||
      (code === SLASH && (previous === SLASH || previous === DOT)) ||
      (code === DOT && previous === SLASH) ||
      (code === SEMICOLON && (previous === SLASH || previous === DOT))
    ) {
      simple = false;
    }
    previous = code;
  }
  if (previous === DOT) simple = false;
  return simple ? path : slowNormalize(path);
}

/**
 * An overlong UTF-8 lead (`%C0%AE` is `.` to a lax decoder, `%E0%80%AF` is `/`): C0 or C1, or E0/F0
 * followed by an escaped continuation byte that makes the sequence overlong.
 */
function overlongUtf8(lead: number, path: string, next: number): boolean {
  if (lead <= 0xc1) return true;
  if ((lead !== 0xe0 && lead !== 0xf0) || path.charCodeAt(next) !== PERCENT) return false;
  const continuation = hexValue(path.charCodeAt(next + 1)) * 16 + hexValue(path.charCodeAt(next + 2));
  return continuation >= 0x80 && continuation < (lead === 0xe0 ? 0xa0 : 0x90);
}

function decodeEscapes(path: string): string | undefined {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code !== PERCENT) {
      out += path[i];
      continue;
    }
    const hi = hexValue(path.charCodeAt(i + 1));
    const lo = hexValue(path.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return undefined;
    const byte = hi * 16 + lo;
    if (byte < 0x20 || byte === 0x7f || byte === SLASH || byte === BACKSLASH) return undefined;
    if (byte === PERCENT) {
      // %25 followed by an escape (%2570 is %70 once decoded, `p` twice) or IIS's %u form
      const next = path.charCodeAt(i + 3);
      if (next === 0x75 || next === 0x55 || (hexValue(next) >= 0 && hexValue(path.charCodeAt(i + 4)) >= 0)) return undefined;
    } else if (byte >= 0xc0 && overlongUtf8(byte, path, i + 3)) {
      return undefined;
    }
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${path.slice(i + 1, i + 3).toUpperCase()}`;
    i += 2;
  }
  return out;
}

/**
 * The segment's name: what comes before its first `;` (raw or `%3B`), the part a prefix is matched
 * against and the part a servlet container resolves.
 */
function nameEnd(segment: string): number {
  const semicolon = segment.indexOf(';');
  const encoded = segment.indexOf('%3B');
  if (semicolon < 0) return encoded < 0 ? segment.length : encoded;
  return encoded < 0 || semicolon < encoded ? semicolon : encoded;
}

/** True when the (decoded) segment is refused: see the file comment. `last`: the path's final segment. */
function ambiguousSegment(segment: string, last: boolean): boolean {
  const end = nameEnd(segment);
  if (end < segment.length) {
    // a parameter on '', '.' or '..' (a parameter on the last, empty segment is a servlet session id: /app/;jsessionid=…)
    if (end === 0) return !last;
    if (end <= 2 && segment.charCodeAt(0) === DOT && segment.charCodeAt(end - 1) === DOT) return true;
  } else if (segment === '.' || segment === '..') {
    return false;
  }
  if (end === 0) return false;
  if (segment.charCodeAt(end - 1) === DOT) return true;
  return end >= 3 && segment.startsWith('%20', end - 3);
}

function slowNormalize(path: string): string | undefined {
  const decoded = decodeEscapes(path);
  if (decoded === undefined) return undefined;
  const segments = decoded.split('/');
  const out: string[] = [];
  // segments[0] is '' (the path starts with '/'); the last segment decides the trailing slash.
  let trailingSlash = false;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    const last = i === segments.length - 1;
    if (ambiguousSegment(segment, last)) return undefined;
    if (segment === '' || segment === '.') {
      if (last) trailingSlash = true;
      continue;
    }
    if (segment === '..') {
      out.pop();
      if (last) trailingSlash = true;
      continue;
    }
    out.push(segment);
  }
  const joined = `/${out.join('/')}`;
  return trailingSlash && out.length > 0 ? `${joined}/` : joined;
}
