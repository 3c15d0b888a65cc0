/**
 * The two response modes. `seed`: 403, text/html, the seed's six bodies, and the seed's rule order
 * (alg, then iss, then aud, then signature, then exp) when a token fails several checks. `standards`:
 * RFC 6750 401 / 403 with WWW-Authenticate and a JSON body.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_BODIES } from '../../../src/gateway/auth/index.js';
import { asDeny, decide, flipSignatureBit, json, newRsaKey, policy, rawToken, rsaKey, token, validClaims } from './support.js';

const seed = await policy({ response: 'seed' });
const bodyOf = async (auth: string | undefined) => {
  const d = await decide(seed, auth);
  if (d.ok) return 'OK';
  assert.equal(d.status, 403);
  assert.deepEqual(d.headers, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(d.body)) });
  return d.body;
};
const other = newRsaKey();

test('seed mode: each of the six rules answers its exact body', async () => {
  assert.deepEqual(SEED_BODIES, [
    'Missing Authorization HTTP header',
    'Unsupported JWT signing algorithm',
    'Invalid JWT issuer',
    'Invalid JWT audience',
    'Invalid JWT signature',
    'JWT has expired',
  ]);
  assert.equal(await bodyOf(undefined), SEED_BODIES[0]);
  assert.equal(await bodyOf(`Bearer ${token({ alg: 'PS256' })}`), SEED_BODIES[1]);
  assert.equal(await bodyOf(`Bearer ${token({ claims: validClaims({ iss: 'https://evil' }) })}`), SEED_BODIES[2]);
  assert.equal(await bodyOf(`Bearer ${token({ claims: validClaims({ aud: 'other' }) })}`), SEED_BODIES[3]);
  assert.equal(await bodyOf(`Bearer ${flipSignatureBit(token())}`), SEED_BODIES[4]);
  assert.equal(await bodyOf(`Bearer ${token({ claims: validClaims({ exp: 1 }) })}`), SEED_BODIES[5]);
  assert.equal(await bodyOf(`Bearer ${token()}`), 'OK');
});

test('seed mode: the first failing rule in the seed\'s order wins', async () => {
  const everythingWrong = token({ claims: validClaims({ iss: 'x', aud: 'y', exp: 1 }), key: other.privateKey });
  assert.equal(await bodyOf(`Bearer ${everythingWrong}`), SEED_BODIES[2], 'iss before aud, signature, exp');
  assert.equal(await bodyOf(`Bearer ${token({ claims: validClaims({ aud: 'y', exp: 1 }), key: other.privateKey })}`), SEED_BODIES[3]);
  assert.equal(await bodyOf(`Bearer ${token({ claims: validClaims({ exp: 1 }), key: other.privateKey })}`), SEED_BODIES[4]);
  assert.equal(await bodyOf(`Bearer ${token({ alg: 'HS256', key: Buffer.from('k'.repeat(32)), claims: validClaims({ iss: 'x' }) })}`), SEED_BODIES[1]);
});

test('seed mode: what HAProxy answers for non-Bearer, empty and garbage credentials', async () => {
  for (const auth of ['Basic dTpw', '', 'Bearer', 'Bearer ', 'garbage', 'Bearer a.b.c', 'Bearer !!!', `Bearer ${'A'.repeat(20_000)}`]) {
    assert.equal(await bodyOf(auth), SEED_BODIES[1], JSON.stringify(auth.slice(0, 20)));
  }
  // A readable header with an unreadable payload fails the issuer rule, as HAProxy's iss variable is empty.
  const h = Buffer.from(json({ alg: 'RS256' })).toString('base64url');
  assert.equal(await bodyOf(`Bearer ${h}.!!!.sig`), SEED_BODIES[2]);
  // Gatehouse's stricter checks land on the rule where HAProxy would look: header params with the signature.
  assert.equal(await bodyOf(`Bearer ${token({ header: { alg: 'RS256', crit: ['x'] } })}`), SEED_BODIES[4]);
  assert.equal(await bodyOf(`Bearer ${rawToken(json({ alg: 'RS256' }), json({ ...validClaims(), exp: undefined }), rsaKey().privateKey, 'RS256')}`), SEED_BODIES[5], 'missing exp');
});

test('seed mode: a missing role or scope (beyond the seed) is 403 with its own body', async () => {
  const roles = await policy({ response: 'seed', roles: ['admin'] });
  const d = asDeny(await decide(roles, `Bearer ${token()}`));
  assert.equal(d.status, 403);
  assert.equal(d.body, 'Insufficient JWT role or scope');
});

test('standards mode: 401 invalid_token with error_description, bare challenge without a Bearer credential, realm when set', async () => {
  const p = await policy({ realm: 'api' });
  const missing = asDeny(await decide(p, undefined));
  assert.equal(missing.status, 401);
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="api"');
  assert.equal(JSON.parse(missing.body).error, 'unauthorized');
  const expired = asDeny(await decide(p, `Bearer ${token({ claims: validClaims({ exp: 1 }) })}`));
  assert.equal(expired.status, 401);
  assert.match(expired.headers['www-authenticate'] as string, /^Bearer realm="api", error="invalid_token", error_description="The token has expired[^"]*"$/);
  assert.equal(expired.headers['content-type'], 'application/json');
  assert.equal(expired.headers['cache-control'], 'no-store');
  assert.equal(expired.headers['content-length'], String(Buffer.byteLength(expired.body)));
  assert.deepEqual(Object.keys(JSON.parse(expired.body)), ['error', 'error_description']);
  assert.ok(!expired.body.includes(token().slice(0, 20)), 'the body never echoes the token');
  assert.equal(expired.code, 'ERR_JWT_EXPIRED', 'the stable error code of the reason');
  assert.equal(missing.code, 'ERR_JWT_MISSING');
});

test('standards mode: a missing role or scope is 403 insufficient_scope naming the required scopes', async () => {
  const p = await policy({ scopes: ['read'] });
  const d = asDeny(await decide(p, `Bearer ${token({ claims: validClaims({ scope: 'write' }) })}`, { scopes: ['admin:all'] }));
  assert.equal(d.status, 403);
  assert.equal(d.headers['www-authenticate'], 'Bearer error="insufficient_scope", error_description="The token lacks a required role or scope", scope="read admin:all"');
  assert.equal(JSON.parse(d.body).error, 'insufficient_scope');
  assert.equal(d.reason, 'SCOPE');
});
