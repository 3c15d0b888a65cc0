/**
 * Parses a JOSE header or JWT claims set strictly: valid UTF-8 without a BOM, a JSON object at the top,
 * no duplicate member names at any level (RFC 7515 §4, RFC 7519 §4 — parsers disagree on which copy
 * wins: jwt-attacks C11, E1), bounded nesting depth (A16), no NUL and no lone surrogates in strings (E4).
 * JSON.parse does the actual parsing; a single scan before it checks what JSON.parse cannot see.
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

/** Returns the first structural problem JSON.parse would not report, or undefined. */
function scan(text: string, maxDepth: number, allowNul: boolean): JsonProblem | undefined {
  const stack: Array<Set<string> | null> = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i + 1;
      let j = start;
      let escaped = false;
      for (;;) {
        if (j >= n) return 'syntax';
        const d = text.charCodeAt(j);
        if (d === 0x22) break;
        if (d !== 0x5c) {
          j++;
          continue;
        }
        escaped = true;
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
      const top = stack.length === 0 ? null : stack[stack.length - 1];
      if (top !== null && top !== undefined) {
        let k = j + 1;
        while (k < n && isJsonSpace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === 0x3a) {
          let name: string;
          if (escaped) {
            try {
              name = JSON.parse(text.slice(i, j + 1)) as string;
            } catch {
              return 'syntax';
            }
          } else {
            name = text.slice(start, j);
          }
          if (top.has(name)) return 'duplicate';
          top.add(name);
        }
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      stack.push(c === 0x7b ? new Set<string>() : null);
      if (stack.length > maxDepth) return 'depth';
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    }
    i++;
  }
  return undefined;
}

/** `allowNul`: a JOSE header may hold \u0000 (it then simply matches no alg or kid); claims may not. */
export function parseStrictJsonObject(bytes: Buffer, maxDepth: number, allowNul = false): StrictJsonResult {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { ok: false, problem: 'bom' };
  if (!isUtf8(bytes)) return { ok: false, problem: 'utf8' };
  const text = bytes.toString('utf8');
  const problem = scan(text, maxDepth, allowNul);
  if (problem !== undefined) return { ok: false, problem };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'syntax' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'not-object' };
  return { ok: true, value: value as Record<string, unknown> };
}
