/**
 * Seed mode answers token shapes as HAProxy 2.6 does with the seed's rules (observed with the Debian
 * package, and compared live by the `shape` entries of differential-haproxy.test.ts): the header is read
 * before the first '.', the payload up to the next one, and only the signature rule looks at the rest.
 * Two or four segments, a trailing '.', or `Bearer t t` are `Invalid JWT signature`, not `Unsupported JWT
 * signing algorithm`. Real gateway, real upstream, real sockets; no HAProxy needed here.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess } from '../../support/in-process.js';
import { startUpstream } from '../../support/upstream.js';
import { AUDIENCE, b64u, ISSUER, json, rsaKey, segments, token, validClaims } from '../support.js';
import { client } from './http-client.js';

const upstream = await startUpstream('app');
after(() => upstream.close());

test('seed mode: two or four segments, a trailing dot, a second token after a space fail the signature rule, as in HAProxy', async () => {
  const gw = await startInProcess({
    auth: { fusionauth: { response: 'seed', issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk } } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'fusionauth' } },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  const http = client(gw.port);
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const t = token({ claims: validClaims({ exp: nowS + 3600, iat: nowS }) });
    const [h, p, s] = segments(t);
    const wrongIssuer = b64u(json(validClaims({ iss: 'https://evil.example', exp: nowS + 3600 })));
    const expected: Array<[string, string]> = [
      [`${h}.${p}`, 'Invalid JWT signature'],
      [`${h}.${p}.`, 'Invalid JWT signature'],
      [`${t}.`, 'Invalid JWT signature'],
      [`${t}.${s}`, 'Invalid JWT signature'],
      [`${t}.${s}.${s}`, 'Invalid JWT signature'],
      [`${t} ${t}`, 'Invalid JWT signature'],
      [`${t}\t${t}`, 'Invalid JWT signature'],
      [`${t} x`, 'Invalid JWT signature'],
      [`${h}.${p}..${s}`, 'Invalid JWT signature'],
      [`${t},${t}`, 'Invalid JWT signature'], // HAProxy lets this one through (docs/security.md, comma-in-credential)
      [`x ${t}`, 'Unsupported JWT signing algorithm'],
      [`.${p}.${s}`, 'Unsupported JWT signing algorithm'],
      [`.${t}`, 'Unsupported JWT signing algorithm'],
      [h, 'Invalid JWT issuer'],
      [`${h}.`, 'Invalid JWT issuer'],
      [`${h}..${s}`, 'Invalid JWT issuer'],
      [`${h}.${wrongIssuer}.${s}.x`, 'Invalid JWT issuer'],
      [`${h}.!!!.${s}.x`, 'Invalid JWT issuer'],
    ];
    const before = upstream.requests;
    const wrong: string[] = [];
    for (const [credential, body] of expected) {
      const answer = await http.get(`Bearer ${credential}`);
      if (answer.status !== 403 || answer.body !== body) wrong.push(`${JSON.stringify(credential.replace(/[A-Za-z0-9_-]{30,}/g, '…'))}: ${answer.status} ${answer.body}, expected ${body}`);
    }
    assert.deepEqual(wrong, []);
    assert.equal(upstream.requests, before, 'none of them reached the upstream');
    assert.equal((await http.get(`Bearer ${t}`)).status, 200, 'the token itself passes');
  } finally {
    http.close();
    await gw.close();
  }
});
