/** Token mutations for the fuzz test: bit flips, truncations, swapped segments, re-encodings, JSON edits. */
import { b64u, segments } from '../support.js';
import { prng } from '../../../support/prng.js';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const JUNK = ['', '.', '..', '=', '==', ' ', '\t', '+', '/', '%', '\u0000', 'é', '\r\n', 'A', '_', '-', '*', '"', '{'];

type Mutation = (token: string, rnd: () => number) => string;

const at = (rnd: () => number, n: number) => Math.floor(rnd() * Math.max(1, n));

function reencode(segment: string, edit: (bytes: Buffer, rnd: () => number) => Buffer, rnd: () => number): string {
  return b64u(edit(Buffer.from(segment, 'base64url'), rnd));
}

function flipByte(bytes: Buffer, rnd: () => number): Buffer {
  const copy = Buffer.from(bytes);
  if (copy.length === 0) return copy;
  const i = at(rnd, copy.length);
  copy[i] = (copy[i] as number) ^ (1 << at(rnd, 8));
  return copy;
}

function editJson(segment: string, rnd: () => number): string {
  let text = Buffer.from(segment, 'base64url').toString('utf8');
  const edits: Array<(t: string) => string> = [
    (t) => t.replace(/"alg":"[^"]*"/, `"alg":"${['none', 'HS256', 'RS256', 'rs256', 'ES256', 'PS256', ''][at(rnd, 7)]}"`),
    (t) => t.replace(/"exp":\d+/, `"exp":${['1', '-1', '1e999', '"9999999999"', 'null', '9007199254740993', '4102444800.5'][at(rnd, 7)]}`),
    (t) => t.replace(/"iss":"/, '"iss":"x'),
    (t) => t.replace(/"aud":"([^"]*)"/, '"aud":["$1"]'),
    (t) => t.replace('{', '{"exp":1,'),
    (t) => t.replace('{', '{"alg":"none",'),
    (t) => t.replace('{', '{"crit":["x"],'),
    (t) => `\ufeff${t}`,
    (t) => t.replace(/}$/, ',"a":' + '['.repeat(40) + ']'.repeat(40) + '}'),
    (t) => t.replace(/"sub":"[^"]*"/, '"sub":"a\\u0000b"'),
    (t) => ` ${t}`,
    (t) => t.slice(0, at(rnd, t.length)),
  ];
  text = (edits[at(rnd, edits.length)] as (t: string) => string)(text);
  return b64u(text);
}

const MUTATIONS: Mutation[] = [
  // flip one bit of one character
  (t, r) => {
    const i = at(r, t.length);
    return t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (1 << at(r, 7))) + t.slice(i + 1);
  },
  // flip a byte inside a decoded segment, re-encode canonically
  (t, r) => {
    const s = segments(t);
    const k = at(r, 3) as 0 | 1 | 2;
    s[k] = reencode(s[k], flipByte, r);
    return s.join('.');
  },
  // truncate anywhere
  (t, r) => t.slice(0, at(r, t.length)),
  // drop the end of one segment
  (t, r) => {
    const s = segments(t);
    const k = at(r, 3) as 0 | 1 | 2;
    s[k] = s[k].slice(0, at(r, s[k].length));
    return s.join('.');
  },
  // swap, repeat or drop segments
  (t, r) => {
    const [h, p, s] = segments(t);
    const shapes = [`${h}.${s}.${p}`, `${p}.${h}.${s}`, `${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}.${h}.${s}`, `${p}.${p}.${s}`, `${h}.${p}.${h}`, `${s}.${p}.${h}`, `${h}..${s}`, `.${p}.${s}`];
    return shapes[at(r, shapes.length)] as string;
  },
  // re-encode a segment: standard alphabet, padding, non-canonical final bits, whitespace
  (t, r) => {
    const s = segments(t);
    const k = at(r, 3) as 0 | 1 | 2;
    const bytes = Buffer.from(s[k], 'base64url');
    const variants = [
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      `${s[k]}=`,
      `${s[k]}==`,
      s[k].slice(0, -1) + B64URL[B64URL.indexOf(s[k].at(-1) as string) ^ (1 + at(r, 3))],
      s[k].slice(0, 10) + ' ' + s[k].slice(10),
      s[k].slice(0, 10) + '\n' + s[k].slice(10),
    ];
    s[k] = variants[at(r, variants.length)] as string;
    return s.join('.');
  },
  // JSON-level edit of header or payload, keeping the original signature
  (t, r) => {
    const s = segments(t);
    const k = at(r, 2) as 0 | 1;
    s[k] = editJson(s[k], r);
    return s.join('.');
  },
  // insert junk
  (t, r) => {
    const i = at(r, t.length + 1);
    return t.slice(0, i) + JUNK[at(r, JUNK.length)] + t.slice(i);
  },
  // delete a run of characters
  (t, r) => {
    const i = at(r, t.length);
    return t.slice(0, i) + t.slice(i + 1 + at(r, 8));
  },
  // splice two tokens
  (t, r) => t.slice(0, at(r, t.length)) + t.slice(at(r, t.length)),
];

/** Yields `count` mutated tokens from `tokens`, reproducibly for a seed; some apply several mutations. */
export function* mutatedTokens(tokens: readonly string[], count: number, seed: number): Generator<string> {
  const r = prng(seed);
  for (let n = 0; n < count; n++) {
    let t = tokens[at(r, tokens.length)] as string;
    const rounds = 1 + (r() < 0.25 ? at(r, 3) : 0);
    for (let k = 0; k < rounds; k++) {
      try {
        t = (MUTATIONS[at(r, MUTATIONS.length)] as Mutation)(t, r);
      } catch {
        // a mutation that does not apply to an already-mangled token: keep what we have
      }
    }
    yield t;
  }
}
