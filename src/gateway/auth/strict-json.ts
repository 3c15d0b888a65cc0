/**
 * Parses a JOSE header or JWT claims set strictly: valid UTF-8 without a BOM, a JSON object at the top,
 * no duplicate member names at any level (RFC 7515 §4, RFC 7519 §4 — parsers disagree on which copy
 * wins: jwt-attacks C11, E1), bounded nesting depth (A16), no NUL and no lone surrogates in strings (E4).
 * JSON.parse does the actual parsing; a single scan before it checks what JSON.parse cannot see, and
 * duplicates are found by comparing the text's member count with the parsed result's (no per-object
 * set of names, no name strings cut out of the text).
 */
import { isUtf8 } from 'node:buffer';

export type JsonProblem = 'utf8' | 'bom' | 'syntax' | 'duplicate' | 'depth' | 'nul' | 'surrogate' | 'not-object';

export type StrictJsonResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly problem: JsonProblem };

const HEX4 = /^[0-9a-fA-F]{4}$/;

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Walks a string that holds a backslash (starting after its opening quote) and returns the index of its
 * closing quote, or the problem with one of its \u escapes.
 */
function endOfEscapedString(text: string, start: number, allowNul: boolean): number | JsonProblem {
  const n = text.length;
  let j = start;
  for (;;) {
    if (j >= n) return 'syntax';
    const d = text.charCodeAt(j);
    if (d === 0x22) return j;
    if (d !== 0x5c) {
      j++;
      continue;
    }
    if (text.charCodeAt(j + 1) !== 0x75) {
      j += 2;
      continue;
    }
    const hex = text.slice(j + 2, j + 6);
    if (!HEX4.test(hex)) return 'syntax';
    const unit = parseInt(hex, 16);
    if (unit === 0 && !allowNul) return 'nul';
    if (unit >= 0xdc00 && unit <= 0xdfff) return 'surrogate';
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = text.slice(j + 8, j + 12);
      if (text.charCodeAt(j + 6) !== 0x5c || text.charCodeAt(j + 7) !== 0x75 || !HEX4.test(low)) return 'surrogate';
      const lowUnit = parseInt(low, 16);
      if (lowUnit < 0xdc00 || lowUnit > 0xdfff) return 'surrogate';
      j += 12;
      continue;
    }
    j += 6;
  }
}

/**
 * One pass for what JSON.parse cannot report: nesting depth, and NUL or lone surrogates written as
 * \u escapes (a raw control character or invalid UTF-8 never gets this far: JSON.parse and isUtf8
 * refuse them). Returns the problem, or the number of member names in the text — the ':' outside
 * strings, one per member in any text JSON.parse accepts — for the duplicate check after parsing.
 * A text without a backslash has no escapes, so its strings are skipped with indexOf.
 */
function scan(text: string, maxDepth: number, allowNul: boolean): JsonProblem | number {
  const escapes = text.indexOf('\\') >= 0;
  const n = text.length;
  let depth = 0;
  let names = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = escapes ? endOfEscapedString(text, i + 1, allowNul) : text.indexOf('"', i + 1);
      if (typeof end === 'string') return end;
      if (end < 0) return 'syntax';
      i = end + 1;
      continue;
    }
    if (c === 0x3a) {
      names++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return 'depth';
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
    i++;
  }
  return names;
}

/**
 * Own members of every object in a parsed value. JSON.parse keeps one member per distinct name (the last
 * copy, dropping the earlier copy's whole subtree), so this equals the text's member count exactly when
 * no object in the text repeats a name (`__proto__` included: JSON.parse makes it an own member). The
 * depth is already bounded by scan().
 */
function members(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) total += members(value[i]);
    return total;
  }
  const keys = Object.keys(value);
  total = keys.length;
  for (let i = 0; i < keys.length; i++) total += members((value as Record<string, unknown>)[keys[i] as string]);
  return total;
}

/** `allowNul`: a JOSE header may hold \u0000 (it then simply matches no alg or kid); claims may not. */
export function parseStrictJsonObject(bytes: Buffer, maxDepth: number, allowNul = false): StrictJsonResult {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { ok: false, problem: 'bom' };
  if (!isUtf8(bytes)) return { ok: false, problem: 'utf8' };
  const text = bytes.toString('utf8');
  const names = scan(text, maxDepth, allowNul);
  if (typeof names === 'string') return { ok: false, problem: names };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'syntax' };
  }
  if (members(value) !== names) return { ok: false, problem: 'duplicate' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'not-object' };
  return { ok: true, value: value as Record<string, unknown> };
}
