/** jwt-attacks.md section B: algorithm and key selection. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRocaFingerprint, rsaModulus } from '../../../src/gateway/auth/keys/roca.js';
import { CRAFTED_NOT_ROCA, ORDINARY_2048, ROCA_2048, ROCA_512, ROCA_PEM } from './fixtures/roca-moduli.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { startJwksServer } from './jwks-server.js';
import {
  b64u, ecKey, edKey, json, newRsaKey, policy, rawToken, reasonOf, rsaKey, token, validClaims, segments,
} from './support.js';

const claims = json(validClaims());

async function refused(config: Parameters<typeof policy>[0], code = 'ERR_KEY_UNSAFE'): Promise<string> {
  try {
    const p = await policy(config);
    p.close();
  } catch (error) {
    assert.ok(isGatehouseError(error), String(error));
    assert.equal(error.code, code, error.message);
    return error.message;
  }
  assert.fail('the policy was built');
}

test('B1/B2: alg none in any case, with an empty or a non-empty signature → ALG', async () => {
  const p = await policy();
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    const unsigned = `${b64u(json({ alg, typ: 'JWT' }))}.${b64u(claims)}.`;
    assert.equal(await reasonOf(p, unsigned), 'ALG', alg);
    assert.equal(await reasonOf(p, unsigned + b64u('sig')), 'ALG', alg);
    assert.equal(await reasonOf(p, unsigned + segments(token())[2]), 'ALG', alg);
  }
  await refused({ algorithms: ['none' as never] }, 'ERR_CONFIG_INVALID');
});

test('B3: HS256 MACed with the IdP public key (PEM, DER, JWK JSON, n bytes) → ALG; never a public key as HMAC secret', async () => {
  const pub = rsaKey().publicKey;
  const secrets = [
    Buffer.from(pub.export({ type: 'spki', format: 'pem' }) as string),
    pub.export({ type: 'spki', format: 'der' }),
    Buffer.from(json(rsaKey().publicJwk)),
    Buffer.from(rsaKey().publicJwk.n as string, 'base64url'),
    Buffer.from(pub.export({ type: 'pkcs1', format: 'pem' }) as string),
  ];
  const p = await policy();
  for (const secret of secrets) assert.equal(await reasonOf(p, rawToken(json({ alg: 'HS256' }), claims, secret, 'HS256')), 'ALG');
  // A policy that does allow HS256 must be given a secret, and then the public-key MACs still fail.
  await refused({ algorithms: ['RS256', 'HS256'] }, 'ERR_CONFIG_INVALID');
  process.env.GATEHOUSE_TEST_HS_SECRET = 's'.repeat(40);
  const mixed = await policy({ algorithms: ['RS256', 'HS256'], keys: { jwk: rsaKey().publicJwk, secret: { env: 'GATEHOUSE_TEST_HS_SECRET' } } });
  for (const secret of secrets) assert.equal(await reasonOf(mixed, rawToken(json({ alg: 'HS256' }), claims, secret, 'HS256')), 'SIG');
  assert.equal(await reasonOf(mixed, rawToken(json({ alg: 'HS256' }), claims, Buffer.from('s'.repeat(40)), 'HS256')), 'OK');
  assert.equal(await reasonOf(mixed, token()), 'OK');
  // A short HMAC secret is refused at load (RFC 7518 §3.2).
  process.env.GATEHOUSE_TEST_HS_SHORT = 'short';
  await refused({ algorithms: ['HS256'], keys: { secret: { env: 'GATEHOUSE_TEST_HS_SHORT' } } });
});

test('B4: a valid alg of the wrong family for the key → ALG', async () => {
  const ec = ecKey('P-256');
  const ecPolicy = await policy({ algorithms: ['RS256', 'ES256'], keys: { jwk: ec.publicJwk } });
  assert.equal(await reasonOf(ecPolicy, token()), 'ALG', 'RS256 token, only an EC key');
  const p384 = ecKey('P-384');
  const p384Policy = await policy({ algorithms: ['ES256', 'ES384'], keys: { jwk: p384.publicJwk } });
  assert.equal(await reasonOf(p384Policy, token({ alg: 'ES256', key: ec.privateKey })), 'ALG', 'ES256 token, P-384 key');
  const rs = await policy();
  assert.equal(await reasonOf(rs, token({ alg: 'PS512' })), 'ALG', 'PS512 on an RS256-only policy');
  const kidPolicy = await policy({ algorithms: ['RS256', 'PS256'], keys: { jwk: { ...rsaKey().publicJwk, kid: 'k1', alg: 'RS256' } } });
  assert.equal(await reasonOf(kidPolicy, token({ alg: 'PS256', header: { alg: 'PS256', kid: 'k1' } })), 'ALG', 'key declares RS256');
  assert.equal(await reasonOf(kidPolicy, token({ header: { alg: 'RS256', kid: 'k1' } })), 'OK');
});

test('B5: alg "rs256", "RS256 ", "RS256\\u0000" → ALG (exact match)', async () => {
  const p = await policy();
  for (const alg of ['rs256', 'RS256 ', 'RS256\u0000', ' RS256', 'RS256\n', 'Rs256']) {
    assert.equal(await reasonOf(p, rawToken(json({ alg }), claims, rsaKey().privateKey, 'RS256')), 'ALG', JSON.stringify(alg));
  }
});

test('B6: alg missing, null, a number, an array → MALFORMED', async () => {
  const p = await policy();
  for (const header of ['{}', '{"alg":null}', '{"alg":256}', '{"alg":["RS256"]}', '{"alg":{"RS256":1}}', '{"typ":"JWT"}']) {
    assert.equal(await reasonOf(p, rawToken(header, claims, rsaKey().privateKey, 'RS256')), 'MALFORMED', header);
  }
});

test('B7: no kid and several keys: only keys of the token alg are tried, never across algorithms', async () => {
  const a = newRsaKey();
  const b = rsaKey();
  const ec = ecKey();
  const keys = [{ ...a.publicJwk, kid: 'a' }, { ...b.publicJwk, kid: 'b' }, { ...ec.publicJwk, kid: 'e' }];
  const p = await policy({ algorithms: ['RS256', 'ES256'], keys: { jwks: { keys } } });
  assert.equal(await reasonOf(p, token()), 'OK', 'tried a then b');
  assert.equal(await reasonOf(p, token({ alg: 'ES256', key: ec.privateKey })), 'OK');
  const rsOnly = await policy({ algorithms: ['RS256'], keys: { jwks: { keys: keys.slice(0, 2) } } });
  assert.equal(await reasonOf(rsOnly, token({ alg: 'ES256', key: ec.privateKey })), 'ALG');
  // More same-family keys than the candidate bound and no kid: refused as ambiguous.
  const many = [0, 1, 2, 3, 4].map((i) => ({ ...newRsaKey().publicJwk, kid: `k${i}` }));
  const crowd = await policy({ keys: { jwks: { keys: many } } });
  assert.equal(await reasonOf(crowd, token()), 'KEY');
});

test('B8: a kid not in the key set → KEY (refetch bounds: remote-jwks.test.ts)', async () => {
  const p = await policy({ keys: { jwks: { keys: [{ ...rsaKey().publicJwk, kid: 'known' }] } } });
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'unknown' } })), 'KEY');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'known' } })), 'OK');
});

test('B9: use "enc" or key_ops without "verify": refused inline at load; dropped from a remote set (→ KEY)', async () => {
  const jwk = rsaKey().publicJwk;
  assert.match(await refused({ keys: { jwk: { ...jwk, use: 'enc' } } }), /use/);
  assert.match(await refused({ keys: { jwk: { ...jwk, key_ops: ['encrypt'] } } }), /key_ops/);
  const server = await startJwksServer({ keys: [{ ...jwk, kid: 'enc', use: 'enc' }, { ...jwk, kid: 'ops', key_ops: ['wrapKey'] }, { ...ecKey().publicJwk, kid: 'ok' }] });
  const p = await policy({ algorithms: ['RS256', 'ES256'], keys: { jwks: server.url } });
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'enc' } })), 'KEY');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'ops' } })), 'KEY');
  p.close();
  await server.close();
});

test('B10: two keys with the same kid: refused inline at load; both dropped from a remote set (→ KEY)', async () => {
  const other = newRsaKey();
  const keys = [{ ...rsaKey().publicJwk, kid: 'same' }, { ...other.publicJwk, kid: 'same' }];
  assert.match(await refused({ keys: { jwks: { keys } } }), /duplicate kid/);
  const server = await startJwksServer({ keys: [...keys, { ...ecKey().publicJwk, kid: 'ok' }] });
  const p = await policy({ algorithms: ['RS256', 'ES256'], keys: { jwks: server.url } });
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'same' } })), 'KEY');
  p.close();
  await server.close();
});

test('B11: an RSA key under 2048 bits is refused at load', async () => {
  const small = newRsaKey(1024);
  assert.match(await refused({ keys: { jwk: small.publicJwk } }), /1024 bits/);
  const server = await startJwksServer({ keys: [{ ...small.publicJwk, kid: 'small' }] });
  await refused({ keys: { jwks: server.url } }, 'ERR_KEY_FETCH');
  await server.close();
});

test('B12: an RSA key with e=1 is refused at load (its "signature" would be the raw PKCS#1 encoding)', async () => {
  const n = rsaKey().publicJwk.n as string;
  const weak = { kty: 'RSA', n, e: 'AQ', kid: 'e1' };
  await refused({ keys: { jwk: weak } });
  // The forgery that key would admit: s = EM, since s^1 mod n = EM.
  const input = `${b64u(json({ alg: 'RS256', kid: 'e1' }))}.${b64u(claims)}`;
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), createHash('sha256').update(input).digest()]);
  const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(256 - 3 - digestInfo.length, 0xff), Buffer.from([0]), digestInfo]);
  const forged = `${input}.${b64u(em)}`;
  let nodeAccepts = false;
  try {
    nodeAccepts = verify('sha256', Buffer.from(input), createPublicKey({ key: weak, format: 'jwk' }), em);
  } catch {
    nodeAccepts = false;
  }
  const server = await startJwksServer({ keys: [weak, { ...rsaKey().publicJwk, kid: 'good' }] });
  const p = await policy({ keys: { jwks: server.url } });
  assert.equal(await reasonOf(p, forged), 'KEY', `refused (node:crypto alone would say ${nodeAccepts})`);
  p.close();
  await server.close();
});

test('B13: e other than 65537 (3, 17) is refused at load', async () => {
  for (const e of [3, 17]) assert.match(await refused({ keys: { jwk: newRsaKey(2048, e).publicJwk } }), /exponent/);
  const n = rsaKey().publicJwk.n as string;
  await refused({ keys: { jwk: { kty: 'RSA', n, e: 'Ag' } } }); // e = 2 (even)
  await refused({ keys: { jwk: { kty: 'RSA', n, e: b64u(Buffer.alloc(64, 0xff)) } } }); // huge
});

/** A public RSA JWK with modulus `n` and e = 65537. */
function rsaJwk(n: bigint, kid: string): Record<string, string> {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return { kty: 'RSA', n: b64u(Buffer.from(hex, 'hex')), e: 'AQAB', kid };
}

test('B13: a modulus with the ROCA fingerprint (CVE-2017-15361) is refused at load, inline, as PEM and from a key set', async (t) => {
  assert.match(await refused({ keys: { jwk: rsaJwk(ROCA_2048, 'roca') } }), /ROCA fingerprint/);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-roca-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'roca.pem'), ROCA_PEM);
  assert.match(await refused({ keys: { file: join(dir, 'roca.pem') } }), /ROCA fingerprint/);
  // in a remote set the vulnerable key is dropped; the good one keeps verifying
  const good = newRsaKey(2048);
  const server = await startJwksServer({ keys: [rsaJwk(ROCA_2048, 'roca'), { ...good.publicJwk, kid: 'good' }] });
  t.after(() => server.close());
  const p = await policy({ keys: { jwks: server.url } });
  t.after(() => p.close());
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'roca' }, key: good.privateKey })), 'KEY');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'good' }, key: good.privateKey })), 'OK');
  // ordinary moduli of the same size are accepted
  for (const [i, n] of ORDINARY_2048.entries()) {
    const ok = await policy({ keys: { jwk: rsaJwk(n, `ordinary-${i}`) } });
    ok.close();
  }
});

test('B13: the ROCA detector marks the vulnerable moduli, and no ordinary, crafted or freshly generated one', () => {
  assert.equal(hasRocaFingerprint(ROCA_2048), true);
  assert.equal(hasRocaFingerprint(ROCA_512), true);
  assert.equal(hasRocaFingerprint(rsaModulus(createPublicKey(ROCA_PEM))), true);
  for (const n of ORDINARY_2048) assert.equal(hasRocaFingerprint(n), false);
  // residues that are each a power of 65537 but with no common exponent: not the vulnerable form
  for (const n of CRAFTED_NOT_ROCA) assert.equal(hasRocaFingerprint(n), false);
  for (let i = 0; i < 8; i++) assert.equal(hasRocaFingerprint(rsaModulus(newRsaKey(2048).publicKey)), false);
  // RSA-PSS keys are read through PKCS#1
  const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
  assert.equal(rsaModulus(pss) > 0n, true);
});

test('B14: oct (HMAC) keys in a key set are ignored; inline they are refused', async () => {
  const k = b64u('k'.repeat(32));
  const server = await startJwksServer({ keys: [{ kty: 'oct', k, kid: 'hmac' }, { ...rsaKey().publicJwk, kid: 'rsa' }] });
  const p = await policy({ keys: { jwks: server.url } });
  assert.equal(await reasonOf(p, rawToken(json({ alg: 'HS256', kid: 'hmac' }), claims, Buffer.from('k'.repeat(32)), 'HS256')), 'ALG');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'hmac' } })), 'KEY');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'rsa' } })), 'OK');
  p.close();
  await server.close();
  await refused({ keys: { jwk: { kty: 'oct', k } } });
  // Private key material in a JWK is refused too.
  const ed = edKey();
  const withD = ed.privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  assert.match(await refused({ algorithms: ['EdDSA'], keys: { jwk: withD } }), /private/);
});
