/** jwt-attacks.md section C: JOSE header parameters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startJwksServer } from './jwks-server.js';
import { json, newRsaKey, policy, rawToken, reasonOf, rsaKey, token, validClaims } from './support.js';

const claims = json(validClaims());
const attacker = newRsaKey();

test('C1: an attacker key embedded as "jwk", signed with its private key → SIG (embedded keys never trusted)', async () => {
  const p = await policy();
  const t = token({ header: { alg: 'RS256', jwk: attacker.publicJwk }, key: attacker.privateKey });
  assert.equal(await reasonOf(p, t), 'SIG');
  const kidPolicy = await policy({ keys: { jwks: { keys: [{ ...rsaKey().publicJwk, kid: 'idp' }] } } });
  assert.equal(await reasonOf(kidPolicy, token({ header: { alg: 'RS256', kid: 'idp', jwk: attacker.publicJwk }, key: attacker.privateKey })), 'SIG');
});

test('C2: jku / x5u URLs are never dereferenced: no outbound request, the token fails as SIG', async () => {
  const trap = await startJwksServer({ keys: [{ ...attacker.publicJwk, kid: 'evil' }] });
  const p = await policy();
  const urls = [trap.url, `${trap.origin}/x5u.pem`, 'http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd', 'http://127.0.0.1:1/'];
  for (const url of urls) {
    assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', jku: url, kid: 'evil' }, key: attacker.privateKey })), 'SIG');
    assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', x5u: url }, key: attacker.privateKey })), 'SIG');
  }
  // A remote-keyed policy whose cool-down has passed still never follows jku.
  const own = await startJwksServer({ keys: [{ ...rsaKey().publicJwk, kid: 'idp' }] });
  const remote = await policy({ keys: { jwks: own.url }, key_cache: { cooldown: 0 } });
  assert.equal(await reasonOf(remote, token({ header: { alg: 'RS256', jku: trap.url, kid: 'evil' }, key: attacker.privateKey })), 'KEY');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(trap.total(), 0, 'the jku/x5u server was never contacted');
  remote.close();
  await own.close();
  await trap.close();
});

test('C3: x5c / x5t are ignored; the key comes only from configuration', async () => {
  const p = await policy();
  const fakeChain = ['MIIB' + 'A'.repeat(60)];
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', x5c: fakeChain, x5t: 'abc', 'x5t#S256': 'def' } })), 'OK');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', x5c: fakeChain }, key: attacker.privateKey })), 'SIG');
});

test('C4: hostile kid values → KEY by exact in-memory lookup only', async () => {
  const p = await policy({ keys: { jwks: { keys: [{ ...rsaKey().publicJwk, kid: 'idp' }] } } });
  for (const kid of ['../../../dev/null', "' OR '1'='1", '/proc/self/environ', 'x'.repeat(2000), 'іdp', 'idp\u0000', 'IDP', ' idp', '']) {
    assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid } })), 'KEY', JSON.stringify(kid).slice(0, 30));
  }
  for (const kid of [1, null, ['idp'], { kid: 'idp' }, true]) {
    assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid } })), 'KEY', JSON.stringify(kid));
  }
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'x'.repeat(10_000) } })), 'SIZE', 'a 10 KB kid exceeds the token cap');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'idp' } })), 'OK');
});

test('C5/C6: crit in any form (unknown name, empty, not an array, a standard name) → HDR', async () => {
  const p = await policy();
  for (const crit of [['x-unknown'], [], 'exp', ['alg'], ['b64'], [1], null]) {
    assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', crit, 'x-unknown': true } })), 'HDR', JSON.stringify(crit));
  }
});

test('C7: b64:false (with or without crit) → HDR', async () => {
  const p = await policy();
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', b64: false, crit: ['b64'] } })), 'HDR');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', b64: false } })), 'HDR');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', b64: true } })), 'HDR');
});

test('C8: cty "JWT" (a nested token) → HDR, never unwrapped', async () => {
  const p = await policy();
  const inner = token();
  const outer = rawToken(json({ alg: 'RS256', cty: 'JWT' }), inner, rsaKey().privateKey, 'RS256');
  assert.equal(await reasonOf(p, outer), 'HDR');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', cty: 'JWT' } })), 'HDR');
});

test('C9: an unexpected typ when the policy names the IdP typ → HDR; no typ rule otherwise', async () => {
  const p = await policy({ typ: ['at+jwt'] });
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', typ: 'at+jwt' } })), 'OK');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', typ: 'application/at+JWT' } })), 'OK');
  for (const typ of ['JWT', 'logout+jwt', 'JOSE+JSON', 'id_token']) assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', typ } })), 'HDR', typ);
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256' } })), 'HDR', 'typ missing');
  const plain = await policy();
  assert.equal(await reasonOf(plain, token({ header: { alg: 'RS256', typ: 'JWT' } })), 'OK');
  assert.equal(await reasonOf(plain, token({ header: { alg: 'RS256', typ: 7 } })), 'HDR', 'typ not a string');
});

test('C10: JWE-only parameters on a JWS (enc, zip, p2c, epk, ...) → HDR', async () => {
  const p = await policy();
  const params: Record<string, unknown> = { enc: 'A256GCM', zip: 'DEF', p2c: 2147483647, p2s: 'c2FsdA', epk: { kty: 'EC' }, apu: 'a', apv: 'b', iv: 'x', tag: 'y' };
  for (const [name, value] of Object.entries(params)) {
    assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', [name]: value } })), 'HDR', name);
  }
});

test('C11: a duplicate header member → MALFORMED, whichever copy comes first', async () => {
  const p = await policy();
  for (const header of ['{"alg":"HS256","alg":"RS256"}', '{"alg":"RS256","alg":"RS256"}', '{"alg":"RS256","kid":"a","kid":"b"}', '{"alg":"RS256","\\u0061lg":"RS256"}']) {
    assert.equal(await reasonOf(p, rawToken(header, claims, rsaKey().privateKey, 'RS256')), 'MALFORMED', header);
  }
});
