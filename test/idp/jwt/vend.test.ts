/**
 * `POST /api/jwt/vend` (FusionAuth's vendJWT, through the official client): the caller's claims plus the
 * server's exp (the TTL asked for, never the caller's), iat, iss and jti, signed with the key asked for
 * (verifiable from the JWKS) or the tenant's access-token key; bad input is a FusionAuth 400, no key 401.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { decodeJwt, startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

test('vendJWT: caller claims, server times and issuer, the requested key', async () => {
  const client = new FusionAuthClient(idp.adminKey, idp.url);
  const key = (await idp.api('POST', '/api/key/generate', { key: { algorithm: 'RS256', name: 'vend', length: 2048 } })).body.key;
  const before = Math.floor(Date.now() / 1000);
  const vended = await client.vendJWT({ claims: { sub: 'service-7', roles: ['reader'], exp: 1, iat: 1 }, keyId: key.id, timeToLiveInSeconds: 120 });
  const token = vended.response.token!;
  const jwks = (await (await fetch(`${idp.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks));
  assert.equal(protectedHeader.kid, key.kid);
  assert.equal(payload.sub, 'service-7');
  assert.deepEqual(payload.roles, ['reader']);
  assert.equal(payload.iss, idp.url);
  assert.ok(payload.iat! >= before && payload.exp === payload.iat! + 120, 'exp and iat are the server\'s');
  assert.equal(typeof payload.jti, 'string');

  const plain = decodeJwt((await client.vendJWT({})).response.token!);
  assert.equal(plain.header.alg, 'HS256', "default: the tenant's access-token key");
  assert.equal(Number(plain.payload.exp) - Number(plain.payload.iat), 3600);

  const bad = await idp.api('POST', '/api/jwt/vend', { keyId: 'nope', timeToLiveInSeconds: -1, claims: [] });
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.body.fieldErrors).sort(), ['claims', 'keyId', 'timeToLiveInSeconds']);
  assert.equal((await idp.api('POST', '/api/jwt/vend', { keyId: '3f1c4a0e-7d4b-4c1e-9a55-0b8f4c3d2e10' })).body.fieldErrors.keyId[0].code, '[invalid]keyId');
  assert.equal((await fetch(`${idp.url}/api/jwt/vend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);
});
