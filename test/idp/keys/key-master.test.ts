/**
 * Key Master: generation of every algorithm, import of each kind, kid derivation exactly as FusionAuth
 * does it, certificates that OpenSSL accepts, and no private key or secret in any response.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, jwtVerify } from 'jose';
import { requireExecutable } from '../../support/services.js';
import { startTestIdp, type TestIdp } from '../support.js';

const execFileAsync = promisify(execFile);
let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ issuer: 'https://keys.example' });
});
after(() => idp.close());

function noPrivateMaterial(text: string): void {
  assert.doesNotMatch(text, /PRIVATE KEY/);
  assert.doesNotMatch(text, /"secret"/);
  assert.doesNotMatch(text, /"privateKey"/);
}

const GENERATED = [
  { algorithm: 'RS256', length: 2048 }, { algorithm: 'RS384', length: 2048 }, { algorithm: 'RS512', length: 3072 },
  { algorithm: 'ES256' }, { algorithm: 'ES384' }, { algorithm: 'ES512' }, { algorithm: 'Ed25519' },
];

test('generated asymmetric keys: self-signed certificate, kid = x5t, published in the JWKS', async () => {
  for (const spec of GENERATED) {
    const response = await idp.api('POST', '/api/key/generate', { key: { ...spec, name: `gen ${spec.algorithm}` } });
    assert.equal(response.status, 200, spec.algorithm);
    noPrivateMaterial(response.text);
    const key = response.body.key;
    assert.equal(key.algorithm, spec.algorithm);
    assert.equal(key.hasPrivateKey, true);
    const cert = new X509Certificate(key.certificate);
    assert.ok(cert.verify(cert.publicKey), `${spec.algorithm} certificate is self-signed`);
    assert.equal(cert.subject, 'CN=https://keys.example');
    const x5t = createHash('sha1').update(cert.raw).digest('base64url');
    assert.equal(key.kid, x5t);
    assert.equal(key.kid.length, 27);
    assert.equal(key.certificateInformation.sha1Thumbprint, x5t);
    assert.ok(cert.publicKey.equals(cert.publicKey) && key.publicKey.includes('BEGIN PUBLIC KEY'));
    if (spec.length !== undefined) assert.equal(key.length, spec.length);
  }
  const jwks = (await idp.api('GET', '/.well-known/jwks.json', undefined, { authorization: '' })).body;
  for (const spec of GENERATED) {
    const key = (await idp.api('GET', '/api/key')).body.keys.find((k: { name: string }) => k.name === `gen ${spec.algorithm}`);
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === key.kid);
    assert.ok(jwk, `${spec.algorithm} in the JWKS`);
    assert.equal(jwk.x5t, key.kid);
    assert.equal(jwk.use, 'sig');
    assert.equal(jwk.alg, spec.algorithm === 'Ed25519' ? 'EdDSA' : spec.algorithm);
    assert.equal(jwk['x5t#S256'], createHash('sha256').update(Buffer.from(jwk.x5c[0], 'base64')).digest('base64url'));
  }
});

test('OpenSSL reads a generated certificate and confirms its self-signature', async (t) => {
  const openssl = requireExecutable(t, 'openssl');
  if (openssl === false) return;
  const key = (await idp.api('POST', '/api/key/generate', { key: { algorithm: 'RS256', length: 2048, name: 'openssl check' } })).body.key;
  const file = join(idp.dir, 'cert.pem');
  writeFileSync(file, key.certificate);
  const { stdout } = await execFileAsync(openssl, ['verify', '-CAfile', file, '-check_ss_sig', file]);
  assert.match(stdout, /: OK/);
  const { stdout: fingerprint } = await execFileAsync(openssl, ['x509', '-in', file, '-noout', '-fingerprint', '-sha1']);
  const hex = /=([0-9A-F:]+)/.exec(fingerprint)![1]!.replaceAll(':', '');
  assert.equal(Buffer.from(hex, 'hex').toString('base64url'), key.kid);
});

test('HMAC keys: random 32-character kid, no secret returned, never in the JWKS', async () => {
  for (const algorithm of ['HS256', 'HS384', 'HS512']) {
    const response = await idp.api('POST', '/api/key/generate', { key: { algorithm, name: `hmac ${algorithm}` } });
    assert.equal(response.status, 200);
    noPrivateMaterial(response.text);
    assert.match(response.body.key.kid, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(response.body.key.type, 'HMAC');
    assert.equal(response.body.key.publicKey, undefined);
    const jwks = (await idp.api('GET', '/.well-known/jwks.json')).body;
    assert.ok(!jwks.keys.some((k: { kid: string }) => k.kid === response.body.key.kid));
  }
  noPrivateMaterial((await idp.api('GET', '/api/key')).text);
});

test('imports: public key only → RFC 7638 thumbprint; private key → self-signed certificate; certificate → x5t; explicit kid wins', async () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const publicOnly = (await idp.api('POST', '/api/key/import', { key: { name: 'imported public', publicKey: publicPem } })).body.key;
  assert.equal(publicOnly.kid, await calculateJwkThumbprint(await exportJWK(publicKey), 'sha256'));
  assert.equal(publicOnly.kid.length, 43);
  assert.equal(publicOnly.hasPrivateKey, false);
  assert.equal(publicOnly.algorithm, 'ES256');

  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const withPrivate = await idp.api('POST', '/api/key/import', { key: { name: 'imported pair', privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }) } });
  assert.equal(withPrivate.status, 200);
  noPrivateMaterial(withPrivate.text);
  const cert = new X509Certificate(withPrivate.body.key.certificate);
  assert.equal(withPrivate.body.key.kid, createHash('sha1').update(cert.raw).digest('base64url'));
  assert.equal(withPrivate.body.key.algorithm, 'RS256');

  const sameCert = await idp.api('POST', '/api/key/import', { key: { name: 'imported cert 2', certificate: withPrivate.body.key.certificate } });
  assert.equal(sameCert.body.fieldErrors['key.kid'][0].code, '[duplicate]key.kid');
  assert.equal((await idp.api('DELETE', `/api/key/${withPrivate.body.key.id}`)).status, 200);
  const viaCert = (await idp.api('POST', '/api/key/import', { key: { name: 'imported cert', certificate: withPrivate.body.key.certificate } })).body.key;
  assert.equal(viaCert.kid, withPrivate.body.key.kid);
  assert.equal(viaCert.hasPrivateKey, false);

  const explicit = (await idp.api('POST', '/api/key/import', { key: { name: 'explicit kid', publicKey: publicPem, kid: 'my-kid' } })).body.key;
  assert.equal(explicit.kid, 'my-kid');
  const mismatch = await idp.api('POST', '/api/key/import', { key: { name: 'mismatch', publicKey: publicPem, privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }) } });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body.fieldErrors['key.privateKey'][0].code, '[invalid]key.privateKey');
  noPrivateMaterial(mismatch.text);
});

test('bad key requests get FusionAuth field errors', async () => {
  const cases: [unknown, string][] = [
    [{ key: { name: 'no alg' } }, '[blank]key.algorithm'],
    [{ key: { name: 'bad alg', algorithm: 'RS999' } }, '[invalid]key.algorithm'],
    [{ key: { name: 'rsa no length', algorithm: 'RS256' } }, '[blank]key.length'],
    [{ key: { name: 'rsa odd length', algorithm: 'RS256', length: 1024 } }, '[invalid]key.length'],
    [{ key: { algorithm: 'ES256' } }, '[blank]key.name'],
  ];
  for (const [body, code] of cases) {
    const response = await idp.api('POST', '/api/key/generate', body);
    assert.equal(response.status, 400, code);
    const codes = Object.values(response.body.fieldErrors).flat().map((e) => (e as { code: string }).code);
    assert.ok(codes.includes(code), `${code} in ${codes.join(',')}`);
  }
  const garbage = await idp.api('POST', '/api/key/import', { key: { name: 'garbage', publicKey: 'not a pem' } });
  assert.equal(garbage.body.fieldErrors['key.publicKey'][0].code, '[invalid]key.publicKey');
});

test('tokens signed with every algorithm verify against the JWKS (HMAC with its secret)', async () => {
  const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id;
  await idp.api('POST', '/api/user', { user: { email: 'algs@example.com', password: 'password-algs' } });
  const secret = Buffer.from('0123456789abcdef0123456789abcdef');
  const hmac = (await idp.api('POST', '/api/key/import', { key: { name: 'known secret', algorithm: 'HS256', secret: secret.toString('base64') } })).body.key;
  const keys = (await idp.api('GET', '/api/key')).body.keys.filter((k: { name: string }) => k.name.startsWith('gen '));
  for (const key of [...keys, hmac]) {
    await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { jwtConfiguration: { accessTokenKeyId: key.id } } });
    const login = await idp.api('POST', '/api/login', { loginId: 'algs@example.com', password: 'password-algs' });
    assert.equal(login.status, 200);
    if (key.type === 'HMAC') {
      await jwtVerify(login.body.token, new Uint8Array(secret));
    } else {
      const jwks = (await idp.api('GET', '/.well-known/jwks.json')).body;
      const { protectedHeader } = await jwtVerify(login.body.token, createLocalJWKSet(jwks));
      assert.equal(protectedHeader.kid, key.kid);
    }
  }
});

test('a key in use cannot be deleted; renaming changes only the name; deleted keys are gone', async () => {
  const tenant = (await idp.api('GET', '/api/tenant')).body.tenants[0];
  const inUse = await idp.api('DELETE', `/api/key/${tenant.jwtConfiguration.accessTokenKeyId}`);
  assert.equal(inUse.status, 400);
  const key = (await idp.api('POST', '/api/key/generate', { key: { algorithm: 'ES256', name: 'to rename' } })).body.key;
  const renamed = (await idp.api('PUT', `/api/key/${key.id}`, { key: { name: 'renamed', algorithm: 'RS256' } })).body.key;
  assert.equal(renamed.name, 'renamed');
  assert.equal(renamed.kid, key.kid);
  assert.equal(renamed.algorithm, 'ES256');
  assert.equal((await idp.api('DELETE', `/api/key/${key.id}`)).status, 200);
  assert.equal((await idp.api('GET', `/api/key/${key.id}`)).status, 404);
});
