/**
 * HAProxy sample expressions: `fetch[(args)][,converter[(args)]]...` (the second parsing level of
 * ../shared/reference/haproxy-cfg.md §1: arguments split on commas, optionally quoted again).
 */

export interface Call {
  readonly name: string;
  readonly args: readonly string[];
}

export interface SampleExpr {
  readonly fetch: Call;
  readonly converters: readonly Call[];
  readonly text: string;
}

/** Splits on `sep` outside parentheses and quotes. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(arg: string): string {
  const t = arg.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

function parseCall(text: string): Call | undefined {
  const open = text.indexOf('(');
  if (open < 0) return /^[A-Za-z0-9_.-]+$/.test(text) ? { name: text, args: [] } : undefined;
  if (!text.endsWith(')')) return undefined;
  const name = text.slice(0, open);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return undefined;
  const inner = text.slice(open + 1, -1);
  return { name, args: inner === '' ? [] : splitTop(inner, ',').map(unquote) };
}

/** Parses a sample expression; undefined when it is not one. */
export function parseSample(text: string): SampleExpr | undefined {
  const parts = splitTop(text, ',');
  const calls: Call[] = [];
  for (const part of parts) {
    const call = parseCall(part);
    if (call === undefined) return undefined;
    calls.push(call);
  }
  const [fetch, ...converters] = calls;
  return fetch === undefined ? undefined : { fetch, converters, text };
}
