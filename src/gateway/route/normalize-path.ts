/**
 * Request paths are normalised before routing, and the normalised path is what the upstream receives,
 * so a route can never match a path differently from how the upstream reads it (jwt-attacks.md I12).
 *
 * - percent-encoded unreserved characters are decoded (`%2e` → `.`, `%7E` → `~`), other escapes upper-cased;
 * - `.` and `..` segments are removed (RFC 3986 §5.2.4), `..` never climbs above `/`;
 * - repeated slashes are merged;
 * - refused (undefined): encoded `/` `\` or control characters (`%2F`, `%5C`, `%00`), a raw `\`,
 *   anything outside visible ASCII, a malformed escape, or a path not starting with `/`.
 *
 * An already-normal path (the common case) is returned as the same string after one scan, no allocation.
 */
const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;
const HASH = 0x23;

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
    if (code === PERCENT || (code === SLASH && previous === SLASH) || (code === DOT && previous === SLASH)) simple = false;
    previous = code;
  }
  return simple ? path : slowNormalize(path);
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
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${path.slice(i + 1, i + 3).toUpperCase()}`;
    i += 2;
  }
  return out;
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
    if (segment === '' ) {
      if (last) trailingSlash = true;
      continue;
    }
    if (segment === '.') {
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
