/** jwt-attacks.md sections E (JSON level) and F (claims). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, ISSUER, AUDIENCE, json, NOW_S, policy, rawToken, reasonOf, rsaKey, token, validClaims } from './support.js';

const key = rsaKey().privateKey;
const H = json({ alg: 'RS256', typ: 'JWT' });
const withClaims = (extra: Record<string, unknown>) => token({ claims: validClaims(extra) });
const without = (name: string) => {
  const c = validClaims();
  delete c[name];
  return token({ claims: c });
};
const p = await policy();

test('E1: a duplicate claim (either order) → MALFORMED; HAProxy reads the first, libraries the last', async () => {
  const base = `"iss":"${ISSUER}","aud":"${AUDIENCE}"`;
  for (const payload of [`{${base},"exp":1,"exp":${NOW_S + 3600}}`, `{${base},"exp":${NOW_S + 3600},"exp":1}`, `{${base},"exp":${NOW_S + 3600},"iss":"x"}`, `{${base},"exp":${NOW_S + 3600},"a":{"b":1,"b":2}}`]) {
    assert.equal(await reasonOf(p, rawToken(H, payload, key, 'RS256')), 'MALFORMED', payload);
  }
  assert.equal(await reasonOf(p, rawToken(H, `{${base},"exp":${NOW_S + 3600},"a":[{"b":1},{"b":2}]}`, key, 'RS256')), 'OK', 'same name in sibling objects is fine');
});

test('E2: __proto__ and constructor claims are data only; nothing is merged or polluted', async () => {
  const payload = `{"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${NOW_S + 3600},"__proto__":{"admin":true,"roles":["admin"]},"constructor":{"prototype":{"x":1}}}`;
  const fwd = await policy({ forward: { headers: { 'X-Admin': 'admin', 'X-Proto': '__proto__' } }, roles: ['admin'] });
  const d = await decide(fwd, `Bearer ${rawToken(H, payload, key, 'RS256')}`);
  assert.equal(d.ok, false, 'roles under __proto__ grant nothing');
  assert.equal(d.ok === false && d.reason, 'SCOPE');
  const open = await policy({ forward: { headers: { 'X-Admin': 'admin', 'X-Proto': '__proto__' } } });
  const ok = await decide(open, `Bearer ${rawToken(H, payload, key, 'RS256')}`);
  assert.ok(ok.ok);
  assert.equal(ok.setHeaders.find(([n]) => n === 'x-admin'), undefined, 'admin is not a claim of this token');
  assert.deepEqual(ok.setHeaders.find(([n]) => n === 'x-proto'), ['x-proto', '{"admin":true,"roles":["admin"]}']);
  assert.equal(({} as Record<string, unknown>).admin, undefined);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test('E3: NumericDate beyond 2^53 (precision lost) → TYPE', async () => {
  for (const v of ['9007199254740993', '9007199254740992', '1e300', '-9007199254740993']) {
    assert.equal(await reasonOf(p, rawToken(H, `{"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${v}}`, key, 'RS256')), 'TYPE', v);
  }
  assert.equal(await reasonOf(p, withClaims({ nbf: 2 ** 53 + 2 })), 'TYPE');
  assert.equal(await reasonOf(p, withClaims({ iat: 2 ** 60 })), 'TYPE');
});

test('E4: NUL or a lone surrogate in a claim name or value → MALFORMED', async () => {
  const base = `"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${NOW_S + 3600}`;
  for (const extra of ['"sub":"a\\u0000b"', '"a\\u0000":1', '"sub":"\\ud800"', '"sub":"x\\udc00y"', '"\\ud83d":1', '"sub":"\\ud83d\\u0041"']) {
    assert.equal(await reasonOf(p, rawToken(H, `{${base},${extra}}`, key, 'RS256')), 'MALFORMED', extra);
  }
  assert.equal(await reasonOf(p, rawToken(H, `{${base},"sub":"\\ud83d\\ude00"}`, key, 'RS256')), 'OK', 'a proper surrogate pair is fine');
});

test('F1: exp missing → EXP', async () => {
  assert.equal(await reasonOf(p, without('exp')), 'EXP');
});

test('F2: exp ≤ now − skew, including 0 and negative → EXP', async () => {
  for (const exp of [NOW_S, NOW_S - 1, 0, -1, -1e10, NOW_S - 0.5]) assert.equal(await reasonOf(p, withClaims({ exp })), 'EXP', String(exp));
  const skewed = await policy({ clock_skew: '60s' });
  assert.equal(await reasonOf(skewed, withClaims({ exp: NOW_S - 60 })), 'EXP');
});

test('F3: exp in (now − skew, now] is accepted with a skew; the default skew is 0 (as the seed)', async () => {
  const skewed = await policy({ clock_skew: '60s' });
  for (const exp of [NOW_S, NOW_S - 1, NOW_S - 59]) assert.equal(await reasonOf(skewed, withClaims({ exp })), 'OK', String(exp));
  assert.equal(await reasonOf(p, withClaims({ exp: NOW_S + 1 })), 'OK');
  assert.equal(await reasonOf(p, withClaims({ exp: NOW_S })), 'EXP');
});

test('F4: exp as a string, bool, null, object or array → TYPE (HAProxy turns "1700000000" into a number)', async () => {
  for (const exp of [String(NOW_S + 3600), true, null, { t: NOW_S + 3600 }, [NOW_S + 3600], '']) assert.equal(await reasonOf(p, withClaims({ exp })), 'TYPE', JSON.stringify(exp));
});

test('F5: a fractional exp is a valid NumericDate', async () => {
  assert.equal(await reasonOf(p, withClaims({ exp: NOW_S + 3600.9 })), 'OK');
  assert.equal(await reasonOf(p, withClaims({ exp: NOW_S - 0.1 })), 'EXP');
});

test('F6: exp 1e999 (Infinity after JSON.parse) → TYPE, never "never expires"', async () => {
  for (const v of ['1e999', '-1e999', '1E400']) assert.equal(await reasonOf(p, rawToken(H, `{"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${v}}`, key, 'RS256')), 'TYPE', v);
  const capped = await policy({ max_lifetime: '1d' });
  assert.equal(await reasonOf(capped, rawToken(H, `{"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":1e999}`, key, 'RS256')), 'TYPE');
});

test('F7: exp far in the future → EXP under max_lifetime (exp − now and exp − iat); beyond 2^53 → TYPE', async () => {
  const capped = await policy({ max_lifetime: '1d' });
  for (const exp of [1e15, 253402300799, NOW_S + 86_401]) assert.equal(await reasonOf(capped, withClaims({ exp, iat: NOW_S })), 'EXP', String(exp));
  assert.equal(await reasonOf(capped, withClaims({ exp: NOW_S + 3600, iat: NOW_S - 90_000 })), 'EXP', 'exp − iat over the cap');
  assert.equal(await reasonOf(capped, withClaims({ exp: NOW_S + 86_400, iat: NOW_S })), 'OK');
  assert.equal(await reasonOf(capped, withClaims({ exp: 2 ** 53 + 1 })), 'TYPE');
});

test('F8: nbf > now + skew → NBF', async () => {
  assert.equal(await reasonOf(p, withClaims({ nbf: NOW_S + 1 })), 'NBF');
  assert.equal(await reasonOf(p, withClaims({ nbf: NOW_S })), 'OK');
  const skewed = await policy({ clock_skew: 30_000 });
  assert.equal(await reasonOf(skewed, withClaims({ nbf: NOW_S + 30 })), 'OK');
  assert.equal(await reasonOf(skewed, withClaims({ nbf: NOW_S + 31 })), 'NBF');
});

test('F9: nbf not a number, or -1e999 → TYPE', async () => {
  for (const nbf of [String(NOW_S), null, false, {}]) assert.equal(await reasonOf(p, withClaims({ nbf })), 'TYPE', JSON.stringify(nbf));
  assert.equal(await reasonOf(p, rawToken(H, `{"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${NOW_S + 60},"nbf":-1e999}`, key, 'RS256')), 'TYPE');
});

test('F10: iat > now + skew → IAT', async () => {
  assert.equal(await reasonOf(p, withClaims({ iat: NOW_S + 5 })), 'IAT');
  const required = await policy({ require_iat: true });
  assert.equal(await reasonOf(required, without('iat')), 'IAT');
  assert.equal(await reasonOf(p, without('iat')), 'OK', 'iat optional unless required');
});

test('F11: iat as a string → TYPE', async () => {
  assert.equal(await reasonOf(p, withClaims({ iat: String(NOW_S) })), 'TYPE');
});

test('F12: iss missing → ISS', async () => {
  assert.equal(await reasonOf(p, without('iss')), 'ISS');
});

test('F13: iss variants are compared byte for byte → ISS', async () => {
  for (const iss of [`${ISSUER}/`, 'https://LOCAL.fusionauth.io', 'https://local.fusionauth.io:443', 'http://local.fusionauth.io', ` ${ISSUER}`, `${ISSUER}\t`]) {
    assert.equal(await reasonOf(p, withClaims({ iss })), 'ISS', iss);
  }
  const nfc = await policy({ issuer: 'https://café.example' });
  assert.equal(await reasonOf(nfc, withClaims({ iss: 'https://cafe\u0301.example' })), 'ISS', 'NFD is not NFC');
  assert.equal(await reasonOf(nfc, withClaims({ iss: 'https://café.example' })), 'OK');
  const list = await policy({ issuer: ['https://a.example', ISSUER] });
  assert.equal(await reasonOf(list, withClaims({ iss: 'https://a.example' })), 'OK', 'an issuer list');
});

test('F14: iss as an array → ISS', async () => {
  assert.equal(await reasonOf(p, withClaims({ iss: [ISSUER] })), 'ISS');
  assert.equal(await reasonOf(p, withClaims({ iss: 5 })), 'ISS');
});

test('F15: aud string equal or array containing → accept; array without it, [], missing → AUD', async () => {
  assert.equal(await reasonOf(p, withClaims({ aud: AUDIENCE })), 'OK');
  assert.equal(await reasonOf(p, withClaims({ aud: ['other', AUDIENCE] })), 'OK');
  assert.equal(await reasonOf(p, withClaims({ aud: ['other'] })), 'AUD');
  assert.equal(await reasonOf(p, withClaims({ aud: [] })), 'AUD');
  assert.equal(await reasonOf(p, without('aud')), 'AUD');
  const multi = await policy({ audience: ['api-a', 'api-b'] });
  assert.equal(await reasonOf(multi, withClaims({ aud: 'api-b' })), 'OK', 'any-of on the policy side');
  assert.equal(await reasonOf(multi, withClaims({ aud: ['x', 'api-a'] })), 'OK');
});

test('F16: aud array with a non-string member → TYPE (jose and jsonwebtoken accept it)', async () => {
  for (const aud of [[AUDIENCE, 5], [AUDIENCE, null], [[AUDIENCE]], 5, { aud: AUDIENCE }]) assert.equal(await reasonOf(p, withClaims({ aud })), 'TYPE', JSON.stringify(aud));
});

test('F17: a token of the same IdP for another audience (another client, an ID token) → AUD', async () => {
  assert.equal(await reasonOf(p, withClaims({ aud: '63b73f76-7400-487d-b122-5705b848da80' })), 'AUD');
  assert.equal(await reasonOf(p, withClaims({ aud: 'some-client-id', nonce: 'n', at_hash: 'x' })), 'AUD');
});

test('F18: claims are compared bytewise, never normalised: homoglyph or NFD roles grant nothing', async () => {
  const needsAdmin = await policy({ roles: ['admin'] });
  for (const role of ['\u0430dmin', 'admin\u200f', 'ADMIN', 'admi\u006e\u0303'.normalize('NFD')]) {
    assert.equal(await reasonOf(needsAdmin, withClaims({ roles: [role] })), 'SCOPE', JSON.stringify(role));
  }
  assert.equal(await reasonOf(needsAdmin, withClaims({ roles: ['admin'] })), 'OK');
});
