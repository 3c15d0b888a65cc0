/** jwt-attacks.md section A: token shape and encoding. Every case ends 401 with the reason the file gives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asDeny, b64u, decide, json, policy, rawToken, rawTokenBytes, reasonOf, rsaKey, segments, token, validClaims,
} from './support.js';

const p = await policy();
const good = token();
const [H, P, S] = segments(good);

test('A1: empty token, "Bearer" alone, a non-Bearer scheme → 401 MALFORMED; lower-case "bearer" is accepted', async () => {
  for (const auth of ['Bearer ', 'Bearer', 'Bearer    ', `Basic ${b64u('u:p')}`, `Token ${good}`, `Bearerx ${good}`, '']) {
    const d = asDeny(await decide(p, auth));
    assert.equal(d.status, 401, auth);
    assert.equal(d.reason, 'MALFORMED', auth);
  }
  const basic = asDeny(await decide(p, 'Basic dTpw'));
  assert.equal(basic.headers['www-authenticate'], 'Bearer', 'no error code without a Bearer credential (RFC 6750 §3.1)');
  assert.equal((await decide(p, `bearer ${good}`)).ok, true);
  assert.equal((await decide(p, `BEARER ${good}`)).ok, true);
  const none = asDeny(await decide(p, undefined));
  assert.equal(none.status, 401);
  assert.equal(none.reason, 'MISSING');
});

test('A2: one or two segments, or an empty header/payload/signature segment → MALFORMED', async () => {
  for (const t of [H, `${H}.${P}`, `.${P}.${S}`, `${H}..${S}`, `${H}.${P}.`, `${H}.${P}`, '..', '.', `${P}.${S}`]) {
    assert.equal(await reasonOf(p, t), 'MALFORMED', t.slice(0, 40));
  }
});

test('A3: four or more segments, a trailing "." → MALFORMED', async () => {
  for (const t of [`${good}.`, `${good}.${S}`, `${H}.${P}.${S}.x.y`, `${good}..`]) assert.equal(await reasonOf(p, t), 'MALFORMED');
});

test('A4: a five-segment JWE compact token → MALFORMED (never decrypted)', async () => {
  const jwe = `${b64u(json({ alg: 'RSA-OAEP', enc: 'A256GCM' }))}.${b64u('k'.repeat(32))}.${b64u('iv-iv-iv-iv')}.${b64u('cipher')}.${b64u('tag-tag-tag-tag')}`;
  assert.equal(await reasonOf(p, jwe), 'MALFORMED');
});

test('A5: JWS JSON serialization (flattened, general) and a compact/JSON polyglot → MALFORMED', async () => {
  const flattened = json({ protected: H, payload: P, signature: S });
  const general = json({ payload: P, signatures: [{ protected: H, signature: S }] });
  const polyglot = `{"${H}.${P}.":"","protected":"${H}","payload":"${P}","signature":"${S}"}`;
  for (const t of [flattened, general, polyglot, b64u(flattened)]) assert.equal(await reasonOf(p, t), 'MALFORMED');
});

test('A6: "=" padding on any segment → MALFORMED (jose would accept a padded signature)', async () => {
  const pad = (s: string) => s + '='.repeat((4 - (s.length % 4)) % 4 || 1);
  for (const t of [`${pad(H)}.${P}.${S}`, `${H}.${pad(P)}.${S}`, `${H}.${P}.${pad(S)}`, `${H}.${P}.${S}==`]) {
    assert.equal(await reasonOf(p, t), 'MALFORMED');
  }
});

test('A7: standard base64 "+" and "/" in a segment → MALFORMED', async () => {
  const std = Buffer.from(S, 'base64url').toString('base64').replace(/=+$/, '');
  assert.ok(/[+/]/.test(std) || std === S, 'signature has a + or / in standard base64 (or is identical)');
  if (std !== S) assert.equal(await reasonOf(p, `${H}.${P}.${std}`), 'MALFORMED');
  assert.equal(await reasonOf(p, `${H}.${P}.${S.slice(0, 10)}+${S.slice(11)}`), 'MALFORMED');
  assert.equal(await reasonOf(p, `${H}.${P}.${S.slice(0, 10)}/${S.slice(11)}`), 'MALFORMED');
});

test('A8: non-canonical last character (unused low bits set) in the signature → MALFORMED', async () => {
  assert.equal(S.length % 4, 2, 'a 256-byte signature ends in a 2-character group with 4 unused bits');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(S.at(-1) as string);
  const twisted = `${S.slice(0, -1)}${alphabet[last | 0x01]}`;
  assert.notEqual(twisted, S);
  assert.deepEqual(Buffer.from(twisted, 'base64url'), Buffer.from(S, 'base64url'), 'a lenient decoder reads the same bytes');
  assert.equal(await reasonOf(p, `${H}.${P}.${twisted}`), 'MALFORMED');
});

test('A9: space, CR, LF, TAB or NUL inside a segment → MALFORMED', async () => {
  for (const c of [' ', '\r', '\n', '\t', '\0', '\r\n']) {
    for (const t of [`${H.slice(0, 5)}${c}${H.slice(5)}.${P}.${S}`, `${H}.${P}.${S.slice(0, 20)}${c}${S.slice(20)}`]) {
      assert.equal(await reasonOf(p, t), 'MALFORMED', JSON.stringify(c));
    }
  }
});

test('A10: spaces around the token are stripped, then the token is parsed strictly', async () => {
  assert.equal((await decide(p, `Bearer    ${good}   `)).ok, true);
  assert.equal((await decide(p, `  Bearer ${good}\t`)).ok, true);
  assert.equal(asDeny(await decide(p, `Bearer\t${good}`)).reason, 'MALFORMED');
  assert.equal(await reasonOf(p, `${good} x`), 'MALFORMED');
});

test('A11: characters outside [A-Za-z0-9_-] (?, #, *, non-ASCII) → MALFORMED', async () => {
  for (const c of ['?', '#', '*', 'é', '\u0430', '%', '"', '\\', '~']) {
    assert.equal(await reasonOf(p, `${H}.${P}.${S.slice(0, 30)}${c}${S.slice(31)}`), 'MALFORMED', c);
    assert.equal(await reasonOf(p, `${H}.${P.slice(0, 8)}${c}${P.slice(9)}.${S}`), 'MALFORMED', c);
  }
});

test('A12: header or payload that decodes to an array, string, number or null → MALFORMED, even when signed', async () => {
  const key = rsaKey().privateKey;
  for (const v of ['[]', '["RS256"]', '"RS256"', '1', 'null', 'true', json([validClaims()])]) {
    assert.equal(await reasonOf(p, rawToken(json({ alg: 'RS256' }), v, key, 'RS256')), 'MALFORMED', `payload ${v}`);
    assert.equal(await reasonOf(p, rawToken(v, json(validClaims()), key, 'RS256')), 'MALFORMED', `header ${v}`);
  }
});

test('A13: invalid UTF-8 in header or payload → MALFORMED', async () => {
  const key = rsaKey().privateKey;
  const claims = Buffer.from(json(validClaims({ name: 'XX' })));
  const at = claims.indexOf('XX');
  for (const bad of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
    const payload = Buffer.concat([claims.subarray(0, at), Buffer.from(bad), claims.subarray(at + 2)]);
    assert.equal(await reasonOf(p, rawTokenBytes(Buffer.from(json({ alg: 'RS256' })), payload, key, 'RS256')), 'MALFORMED');
  }
  const header = Buffer.from('{"alg":"RS256","x":"\xff"}', 'latin1');
  assert.equal(await reasonOf(p, rawTokenBytes(header, claims, key, 'RS256')), 'MALFORMED');
});

test('A14: a UTF-8 BOM before the header or payload JSON → MALFORMED (jose strips it and accepts)', async () => {
  const key = rsaKey().privateKey;
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const h = Buffer.from(json({ alg: 'RS256' }));
  const pl = Buffer.from(json(validClaims()));
  assert.equal(await reasonOf(p, rawTokenBytes(Buffer.concat([bom, h]), pl, key, 'RS256')), 'MALFORMED');
  assert.equal(await reasonOf(p, rawTokenBytes(h, Buffer.concat([bom, pl]), key, 'RS256')), 'MALFORMED');
  assert.equal(await reasonOf(p, rawTokenBytes(h, pl, key, 'RS256')), 'OK', 'the same token without the BOM is fine');
});

test('A15: a token over the 8 KiB cap, or thousands of ".", → SIZE before any split', async () => {
  const key = rsaKey().privateKey;
  const big = rawToken(json({ alg: 'RS256' }), json(validClaims({ pad: 'x'.repeat(9000) })), key, 'RS256');
  assert.equal(await reasonOf(p, big), 'SIZE');
  assert.equal(await reasonOf(p, '.'.repeat(20_000)), 'SIZE');
  assert.equal(await reasonOf(p, `${H}${'.'.repeat(9000)}`), 'SIZE');
  assert.equal(await reasonOf(p, 'a.'.repeat(1_000_000)), 'SIZE');
  const d = asDeny(await decide(p, `Bearer ${'A'.repeat(1 << 20)}`));
  assert.equal(d.status, 401);
  assert.equal(d.reason, 'SIZE');
});

test('A16: deep nesting, many keys, huge strings → SIZE (depth capped before JSON.parse, bytes by the token cap)', async () => {
  const key = rsaKey().privateKey;
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.equal(await reasonOf(p, rawToken(json({ alg: 'RS256' }), `{"iss":"x","d":${deep(100)}}`, key, 'RS256')), 'SIZE');
  assert.equal(await reasonOf(p, rawToken(`{"alg":"RS256","d":${deep(50)}}`, json(validClaims()), key, 'RS256')), 'SIZE');
  assert.equal(await reasonOf(p, rawToken(json({ alg: 'RS256' }), `{"d":${deep(5000)}}`, key, 'RS256')), 'SIZE');
  const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
  assert.equal(await reasonOf(p, rawToken(json({ alg: 'RS256' }), json({ ...validClaims(), ...many }), key, 'RS256')), 'SIZE');
  assert.equal(await reasonOf(p, rawToken(json({ alg: 'RS256' }), json(validClaims({ s: 'x'.repeat(1 << 20) })), key, 'RS256')), 'SIZE');
  // Moderate nesting (as in some IdPs' realm_access.roles) is fine.
  assert.equal(await reasonOf(p, token({ claims: validClaims({ realm_access: { roles: ['a', 'b'] }, deep: [[[[1]]]] }) })), 'OK');
});
