/**
 * A deterministic corpus of Authorization headers for the HAProxy differential test and the fuzz
 * test: valid tokens, every seed rule failing alone and in combination, non-Bearer, empty and garbage
 * credentials, and the classes where Gatehouse is deliberately stricter or more standard than the
 * seed's rules (each tagged with the docs/security.md difference it falls under).
 */
import type { KeyObject } from 'node:crypto';
import { b64u, json, rawToken, segments } from '../support.js';
import { prng } from '../../../support/prng.js';

export interface CorpusEntry {
  readonly category: string;
  /** undefined = no Authorization header at all. */
  readonly authorization: string | undefined;
  /** Set when Gatehouse answers differently from HAProxy on purpose: the docs/security.md difference. */
  readonly difference?: string;
}

export interface CorpusKeys {
  readonly idp: KeyObject;
  readonly other: KeyObject;
  readonly ec: KeyObject;
}

/** What Gatehouse answers, by design, for each documented difference (docs/security.md). */
export const DOCUMENTED: Record<string, { status: number; body: string }> = {
  'exp-missing': { status: 403, body: 'JWT has expired' },
  'exp-not-number': { status: 403, body: 'JWT has expired' },
  'exp-huge': { status: 403, body: 'JWT has expired' },
  'exp-negative': { status: 403, body: 'JWT has expired' },
  'duplicate-members': { status: 403, body: 'Invalid JWT issuer' },
  'non-canonical-base64url': { status: 403, body: 'Invalid JWT signature' },
  'aud-array': { status: 200, body: 'upstream ok' },
  'forbidden-header-params': { status: 403, body: 'Invalid JWT signature' },
  'comma-in-credential': { status: 403, body: 'Invalid JWT signature' },
};

const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function buildCorpus(keys: CorpusKeys, issuer: string, audience: string, nowS: number, seed = 1): CorpusEntry[] {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const str = (alphabet: string, n: number) => Array.from({ length: n }, () => pick([...alphabet])).join('');
  const claims = (extra: Record<string, unknown> = {}) => ({
    aud: audience,
    exp: nowS + 3600 + Math.floor(rnd() * 3600),
    iat: nowS - Math.floor(rnd() * 600),
    iss: issuer,
    sub: `user-${Math.floor(rnd() * 1e9)}`,
    jti: str(B64URL, 12),
    roles: [],
    ...extra,
  });
  const rs = (c: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: 'hCR08_wZGk49AeaAfD69fbJZdFM' }, key = keys.idp) =>
    rawToken(json(header), json(c), key, 'RS256');
  const out: CorpusEntry[] = [];
  const add = (category: string, token: string | undefined, difference?: string, scheme = 'Bearer ') =>
    out.push(difference === undefined ? { category, authorization: token === undefined ? undefined : `${scheme}${token}` } : { category, authorization: `${scheme}${token}`, difference });

  for (let i = 0; i < 200; i++) add('valid', rs(claims()));
  for (let i = 0; i < 5; i++) out.push({ category: 'no-header', authorization: undefined });
  for (const a of ['', ' ', 'Bearer', 'Bearer ', 'Bearer  ', 'bearer', 'Basic', 'Bearer .', 'Bearer ..', 'Bearer ...']) out.push({ category: 'empty', authorization: a });
  const valid = rs(claims());
  for (const scheme of ['bearer ', 'BEARER ', 'BeArEr ', 'Bearer  ', 'Bearer   ', 'Bearer\t', '  Bearer ', 'Basic ', 'Digest ', 'Token ', 'JWT ', 'Negotiate ', 'Bearer: ', 'Bearerx ', 'X ']) add('non-bearer', valid, undefined, scheme);
  for (let i = 0; i < 10; i++) out.push({ category: 'non-bearer', authorization: `Basic ${Buffer.from(`${str(B64URL, 8)}:${str(B64URL, 8)}`).toString('base64')}` });
  for (let i = 0; i < 100; i++) out.push({ category: 'garbage', authorization: str(PRINTABLE.trim(), 1 + Math.floor(rnd() * 60)).trim() || 'x' });
  for (let i = 0; i < 60; i++) add('garbage', str(B64URL, 1 + Math.floor(rnd() * 300)));
  for (let i = 0; i < 60; i++) add('garbage', `${str(B64URL, 1 + Math.floor(rnd() * 40))}.${str(B64URL, Math.floor(rnd() * 80))}.${str(B64URL, Math.floor(rnd() * 80))}`);
  for (let i = 0; i < 20; i++) add('garbage', `${b64u(json({ alg: 'RS256', typ: 'JWT' }))}.${str(B64URL, 10 + Math.floor(rnd() * 80))}.${str(B64URL, 342)}`);
  for (let i = 0; i < 20; i++) add('garbage', `${b64u(json({ alg: 'RS256' }))}.${b64u(json(claims()))}.${str(B64URL, Math.floor(rnd() * 400))}`);

  for (let i = 0; i < 25; i++) add('wrong-alg', rawToken(json({ alg: 'HS256', typ: 'JWT' }), json(claims()), Buffer.from(str(B64URL, 32)), 'HS256'));
  for (let i = 0; i < 15; i++) add('wrong-alg', rawToken(json({ alg: 'PS256', typ: 'JWT' }), json(claims()), keys.idp, 'PS256'));
  for (let i = 0; i < 15; i++) add('wrong-alg', rawToken(json({ alg: 'RS384', typ: 'JWT' }), json(claims()), keys.idp, 'RS384'));
  for (let i = 0; i < 15; i++) add('wrong-alg', rawToken(json({ alg: 'ES256', typ: 'JWT' }), json(claims()), keys.ec, 'ES256'));
  for (const alg of ['none', 'None', 'rs256', 'RS256 ', '', 'RS25']) add('wrong-alg', `${b64u(json({ alg }))}.${b64u(json(claims()))}.`);
  for (let i = 0; i < 10; i++) add('wrong-alg', rs(claims(), { typ: 'JWT' }));

  const badIssuers = [`${issuer}/`, issuer.toUpperCase(), issuer.replace('https', 'http'), 'https://evil.example', '', `${issuer} `];
  for (let i = 0; i < 90; i++) add('wrong-iss', rs(claims({ iss: pick(badIssuers) })));
  for (let i = 0; i < 10; i++) add('wrong-iss', rs(claims({ iss: undefined })));
  const badAudiences = ['63b73f76-7400-487d-b122-5705b848da80', audience.toUpperCase(), '', `${audience} `, 'api'];
  for (let i = 0; i < 90; i++) add('wrong-aud', rs(claims({ aud: pick(badAudiences) })));
  for (let i = 0; i < 10; i++) add('wrong-aud', rs(claims({ aud: undefined })));
  for (let i = 0; i < 20; i++) add('wrong-aud', rs(claims({ aud: ['other', 'api'] })));

  for (let i = 0; i < 60; i++) add('bad-signature', rs(claims(), undefined, keys.other));
  for (let i = 0; i < 60; i++) {
    const [h, p, s] = segments(rs(claims()));
    const sig = Buffer.from(s, 'base64url');
    const at = Math.floor(rnd() * sig.length);
    sig[at] = (sig[at] as number) ^ (1 << Math.floor(rnd() * 8));
    add('bad-signature', `${h}.${p}.${b64u(sig)}`);
  }
  for (let i = 0; i < 20; i++) {
    const [h, , s] = segments(rs(claims()));
    add('bad-signature', `${h}.${b64u(json(claims({ sub: 'admin' })))}.${s}`);
  }
  for (let i = 0; i < 100; i++) add('expired', rs(claims({ exp: nowS - 10 - Math.floor(rnd() * 1e6) })));
  for (const exp of [0, 1, nowS - 1000]) add('expired', rs(claims({ exp })));
  for (let i = 0; i < 5; i++) add('expired', rs(claims({ exp: nowS - 100.5 })));

  const combos: Array<Record<string, unknown>> = [
    { iss: 'https://evil.example', aud: 'x' },
    { iss: 'https://evil.example', exp: nowS - 100 },
    { aud: 'x', exp: nowS - 100 },
  ];
  for (let i = 0; i < 40; i++) add('combination', rs(claims(pick(combos)), undefined, rnd() < 0.5 ? keys.other : keys.idp));
  for (let i = 0; i < 20; i++) add('combination', rawToken(json({ alg: 'HS256' }), json(claims({ iss: 'x', aud: 'y', exp: 1 })), Buffer.from('k'.repeat(32)), 'HS256'));
  for (let i = 0; i < 20; i++) add('combination', rs(claims({ exp: nowS - 100 }), undefined, keys.other));

  // Token shapes HAProxy's queries read in part: header before the first '.', payload up to the next;
  // only jwt_verify sees the rest (two or four segments, a trailing '.', a second token after a space).
  for (let i = 0; i < 3; i++) {
    const t = rs(claims());
    const [h, p, s] = segments(t);
    const wrongIss = b64u(json(claims({ iss: 'https://evil.example' })));
    const headerOnly = b64u(json({ alg: 'RS256' }));
    for (const shape of [
      `${h}.${p}`, `${h}.${p}.`, `${t}.`, `${t}..`, `${t}.${s}`, `${t}.${s}.${s}`, `${t} ${t}`, `${t}\t${t}`, `${t} x`, `x ${t}`,
      `${h}.${p}..${s}`, `${h}`, `${h}.`, `${h}..`, `${headerOnly}`, `.${p}.${s}`, `${h}..${s}`, `.${t}`, `${h}.${wrongIss}`,
      `${h}.${wrongIss}.${s}.x`, `${h}.!!!.${s}.x`, `${h}.${p}.${s.slice(0, 20)} ${s.slice(20)}`, `${t} .`, `${h}.${p}.${s}${s}`,
    ]) add('shape', shape);
    // HAProxy reads Authorization as a comma-separated list and verifies the first element only
    for (const shape of [`${t},${t}`, `${t},x`, `${t}, x`]) add('shape', shape, 'comma-in-credential');
  }

  // Where the seed's HAProxy rules are unsafe or non-standard: Gatehouse differs on purpose (docs/security.md).
  for (let i = 0; i < 10; i++) add('exp-missing', rs(claims({ exp: undefined })), 'exp-missing');
  for (let i = 0; i < 10; i++) add('exp-not-number', rs(claims({ exp: String(nowS + 3600) })), 'exp-not-number');
  for (let i = 0; i < 5; i++) add('exp-not-number', rs(claims({ exp: null })), 'exp-not-number');
  for (let i = 0; i < 5; i++) add('exp-huge', rs(claims({ exp: 1e20 })), 'exp-huge');
  for (const exp of [-1, -1000, -1e10]) add('exp-negative', rs(claims({ exp })), 'exp-negative');
  for (let i = 0; i < 10; i++) {
    const c = claims();
    const text = json(c).replace('"exp":', `"exp":${rnd() < 0.5 ? 1 : nowS + 999},"exp":`);
    add('duplicate-claim', rawToken(json({ alg: 'RS256', typ: 'JWT' }), text, keys.idp, 'RS256'), 'duplicate-members');
  }
  for (let i = 0; i < 10; i++) {
    const [h, p, s] = segments(rs(claims()));
    const last = B64URL.indexOf(s.at(-1) as string);
    add('non-canonical-base64url', `${h}.${p}.${s.slice(0, -1)}${B64URL[last | (1 + Math.floor(rnd() * 15))]}`, 'non-canonical-base64url');
  }
  for (let i = 0; i < 10; i++) add('aud-array', rs(claims({ aud: ['other', audience] })), 'aud-array');
  for (let i = 0; i < 5; i++) add('crit-header', rs(claims(), { alg: 'RS256', typ: 'JWT', crit: ['x-ext'], 'x-ext': 1 }), 'forbidden-header-params');
  for (let i = 0; i < 5; i++) add('cty-header', rs(claims(), { alg: 'RS256', cty: 'JWT' }), 'forbidden-header-params');
  return out;
}
