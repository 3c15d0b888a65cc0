/** jwt-attacks.md section D: signature-value edge cases (RS256, PS256, ES256, EdDSA). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHash, privateEncrypt, sign } from 'node:crypto';
import { b64u, ecKey, edKey, json, policy, reasonOf, rsaKey, segments, token, validClaims, withSignature } from './support.js';

const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;

const toBig = (b: Buffer): bigint => BigInt(`0x${b.toString('hex') || '0'}`);
function toBuf(v: bigint, len: number): Buffer {
  const hex = v.toString(16).padStart(len * 2, '0');
  return Buffer.from(hex.slice(-len * 2), 'hex');
}

const ec = ecKey('P-256');
const ed = edKey();

test('D1/D2: ES256 r = s = 0 (64 zero bytes, "psychic signature") and the DER r=s=0 form → SIG', async () => {
  const p = await policy({ algorithms: ['ES256'], keys: { jwk: ec.publicJwk } });
  const t = token({ alg: 'ES256', key: ec.privateKey });
  assert.equal(await reasonOf(p, t), 'OK');
  assert.equal(await reasonOf(p, withSignature(t, Buffer.alloc(64))), 'SIG');
  const [h, pl] = segments(t);
  assert.equal(await reasonOf(p, `${h}.${pl}.MAYCAQACAQA`), 'SIG');
});

test('D3: a valid ES256 signature in DER form → SIG (JWS needs the 64-byte R‖S)', async () => {
  const p = await policy({ algorithms: ['ES256'], keys: { jwk: ec.publicJwk } });
  const t = token({ alg: 'ES256', key: ec.privateKey });
  const [h, pl] = segments(t);
  const der = sign('sha256', Buffer.from(`${h}.${pl}`), { key: ec.privateKey, dsaEncoding: 'der' });
  assert.ok(der.length >= 68 && der.length <= 72);
  assert.equal(await reasonOf(p, withSignature(t, der)), 'SIG');
});

test('D4: ES256 signatures of 63, 65, 128 bytes, with trailing zeros or a leading 0x00 → SIG', async () => {
  const p = await policy({ algorithms: ['ES256'], keys: { jwk: ec.publicJwk } });
  const t = token({ alg: 'ES256', key: ec.privateKey });
  const sig = Buffer.from(segments(t)[2], 'base64url');
  const variants = [sig.subarray(0, 63), Buffer.concat([sig, Buffer.from([0])]), Buffer.concat([sig, sig]), Buffer.concat([sig, Buffer.alloc(4)]), Buffer.concat([Buffer.from([0]), sig])];
  for (const v of variants) assert.equal(await reasonOf(p, withSignature(t, v)), 'SIG', `${v.length} bytes`);
});

test('D5: ES256 with r or s = 0, 1, n−1, n, > n → SIG', async () => {
  const p = await policy({ algorithms: ['ES256'], keys: { jwk: ec.publicJwk } });
  const t = token({ alg: 'ES256', key: ec.privateKey });
  const sig = Buffer.from(segments(t)[2], 'base64url');
  const r = sig.subarray(0, 32);
  const s = sig.subarray(32);
  for (const v of [0n, 1n, P256_N - 1n, P256_N, P256_N + 1n, 2n ** 256n - 1n]) {
    assert.equal(await reasonOf(p, withSignature(t, Buffer.concat([toBuf(v, 32), s]))), 'SIG', `r=${v}`);
    assert.equal(await reasonOf(p, withSignature(t, Buffer.concat([r, toBuf(v, 32)]))), 'SIG', `s=${v}`);
  }
  // r + n, s + n: the same value mod n, but out of range.
  if (toBig(s) + P256_N < 2n ** 256n) assert.equal(await reasonOf(p, withSignature(t, Buffer.concat([r, toBuf(toBig(s) + P256_N, 32)]))), 'SIG');
});

test('D6: the ES256 high-S twin (r, n − s) is valid ECDSA and is accepted — so the token text is never a replay identity', async () => {
  const p = await policy({ algorithms: ['ES256'], keys: { jwk: ec.publicJwk } });
  const t = token({ alg: 'ES256', key: ec.privateKey });
  const sig = Buffer.from(segments(t)[2], 'base64url');
  const twin = withSignature(t, Buffer.concat([sig.subarray(0, 32), toBuf(P256_N - toBig(sig.subarray(32)), 32)]));
  assert.notEqual(twin, t);
  assert.equal(await reasonOf(p, t), 'OK');
  assert.equal(await reasonOf(p, twin), 'OK');
});

test('D7: Ed25519 malleated (S + L), truncated, or extended → SIG', async () => {
  const p = await policy({ algorithms: ['EdDSA'], keys: { jwk: ed.publicJwk } });
  const t = token({ alg: 'EdDSA', key: ed.privateKey });
  assert.equal(await reasonOf(p, t), 'OK');
  const sig = Buffer.from(segments(t)[2], 'base64url');
  const sLe = Buffer.from(sig.subarray(32)).reverse();
  const malleated = Buffer.concat([sig.subarray(0, 32), toBuf(toBig(sLe) + ED25519_L, 32).reverse()]);
  assert.equal(await reasonOf(p, withSignature(t, malleated)), 'SIG');
  assert.equal(await reasonOf(p, withSignature(t, sig.subarray(0, 63))), 'SIG');
  assert.equal(await reasonOf(p, withSignature(t, Buffer.concat([sig, Buffer.from([0])]))), 'SIG');
  // Non-canonical R (y ≥ p) and other encodings are covered by the Wycheproof ed25519 vectors.
});

test('D8: PS256 with a salt length other than 32 → SIG', async () => {
  const p = await policy({ algorithms: ['PS256'] });
  const t = token({ alg: 'PS256' });
  assert.equal(await reasonOf(p, t), 'OK');
  const [h, pl] = segments(t);
  for (const saltLength of [0, 20, 64]) {
    const sig = sign('sha256', Buffer.from(`${h}.${pl}`), { key: rsaKey().privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    assert.equal(await reasonOf(p, withSignature(t, sig)), 'SIG', `salt ${saltLength}`);
  }
  const pkcs1 = sign('sha256', Buffer.from(`${h}.${pl}`), rsaKey().privateKey);
  assert.equal(await reasonOf(p, withSignature(t, pkcs1)), 'SIG', 'a PKCS#1 v1.5 signature on a PS256 token');
});

test('D9: RS256 with a BER long-form length, a missing NULL, a wrong hash OID or garbage in DigestInfo → SIG', async () => {
  const p = await policy();
  const input = `${b64u(json({ alg: 'RS256' }))}.${b64u(json(validClaims()))}`;
  const hash = createHash('sha256').update(input).digest();
  const SHA256_OID = '0609608648016503040201';
  const infos: Record<string, string> = {
    correct: `3031300d${SHA256_OID}05000420${hash.toString('hex')}`,
    missingNull: `302f300b${SHA256_OID}0420${hash.toString('hex')}`,
    longForm: `30813100300d${SHA256_OID}05000420${hash.toString('hex')}`.replace('30813100', '308131'),
    sha1Oid: `302d3009${'06052b0e03021a'}05000420${hash.toString('hex')}`,
    trailingGarbage: `3033300d${SHA256_OID}05000422${hash.toString('hex')}0000`,
    wrongHashByte: `3031300d${SHA256_OID}05000420${hash.toString('hex')}`.slice(0, -2) + (hash.at(-1) === 0 ? '01' : '00'),
  };
  const forge = (infoHex: string): string => {
    const info = Buffer.from(infoHex, 'hex');
    const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(256 - 3 - info.length, 0xff), Buffer.from([0]), info]);
    return `${input}.${b64u(privateEncrypt({ key: rsaKey().privateKey, padding: constants.RSA_NO_PADDING }, em))}`;
  };
  assert.equal(await reasonOf(p, forge(infos.correct as string)), 'OK', 'the hand-built encoding is right');
  for (const [name, info] of Object.entries(infos)) {
    if (name !== 'correct') assert.equal(await reasonOf(p, forge(info)), 'SIG', name);
  }
  // Padding string of 0x00 instead of 0xff, and block type 2.
  const info = Buffer.from(infos.correct as string, 'hex');
  for (const [bt, fill] of [[1, 0x00], [2, 0xff]] as const) {
    const em = Buffer.concat([Buffer.from([0, bt]), Buffer.alloc(256 - 3 - info.length, fill), Buffer.from([0]), info]);
    assert.equal(await reasonOf(p, `${input}.${b64u(privateEncrypt({ key: rsaKey().privateKey, padding: constants.RSA_NO_PADDING }, em))}`), 'SIG');
  }
});

test('D10: RS256 signature 0, 1, n−1, n, > n, zero-prepended, zero-appended, truncated → SIG', async () => {
  const p = await policy();
  const t = token();
  const n = toBig(Buffer.from(rsaKey().publicJwk.n as string, 'base64url'));
  const sig = Buffer.from(segments(t)[2], 'base64url');
  for (const v of [0n, 1n, n - 1n, n, n + 1n]) assert.equal(await reasonOf(p, withSignature(t, toBuf(v, 256))), 'SIG', `s=${v === n ? 'n' : v}`);
  for (const v of [Buffer.concat([Buffer.from([0]), sig]), Buffer.concat([sig, Buffer.from([0])]), sig.subarray(0, 255), sig.subarray(1), Buffer.alloc(0)]) {
    assert.notEqual(await reasonOf(p, withSignature(t, v)), 'OK', `${v.length} bytes`);
  }
  for (const v of [Buffer.concat([Buffer.from([0]), sig]), Buffer.concat([sig, Buffer.from([0])]), sig.subarray(0, 255)]) {
    assert.equal(await reasonOf(p, withSignature(t, v)), 'SIG', `${v.length} bytes`);
  }
});
