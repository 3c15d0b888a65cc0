/**
 * The shared certificate builder, checked by the real openssl CLI: a CA and a leaf it signs verify, and
 * carry the SANs, key usages and extensions asked for; self-signed certificates without extensions for
 * RSA, EC and Ed25519 keys carry the right signature algorithm and verify against themselves.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '../../../src/shared/x509/index.js';
import { requireExecutable } from '../../support/services.js';

const DAY_MS = 86_400_000;

function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

function opensslRun(openssl: string, args: string[]): { status: number | null; out: string } {
  const result = spawnSync(openssl, args, { encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-x509-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function makeCa(name: string) {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = x509.buildCertificate({
    signature: 'ES256',
    signingKey: pair.privateKey,
    publicKey: pair.publicKey,
    issuer: name,
    subject: name,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    extensions: [x509.basicConstraints({ pathLength: 0 }), x509.keyUsage(['keyCertSign', 'cRLSign', 'digitalSignature']), x509.subjectKeyIdentifier(keyId(pair.publicKey))],
  });
  return { ...pair, der, name };
}

test('a CA and a leaf made by the builder verify with openssl and carry the SANs and extensions asked for', (t) => {
  const openssl = requireExecutable(t, 'openssl');
  if (openssl === false) return;
  const dir = tempDir(t);
  const ca = makeCa('Builder test CA');
  const leafKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const leaf = x509.buildCertificate({
    signature: 'ES256',
    signingKey: ca.privateKey,
    publicKey: leafKey.publicKey,
    issuer: ca.name,
    subject: 'localhost',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 7 * DAY_MS),
    serialNumber: Buffer.from('0123456789abcdef', 'hex'),
    extensions: [
      x509.basicConstraints(false),
      x509.keyUsage(['digitalSignature']),
      x509.subjectKeyIdentifier(keyId(leafKey.publicKey)),
      x509.authorityKeyIdentifier(keyId(ca.publicKey)),
      x509.extendedKeyUsage(['server', 'client']),
      x509.subjectAltName(['localhost', '127.0.0.1', '::1', 'api.example.test']),
    ],
  });
  writeFileSync(join(dir, 'ca.pem'), x509.derToPem(ca.der, 'CERTIFICATE'));
  writeFileSync(join(dir, 'leaf.pem'), x509.derToPem(leaf, 'CERTIFICATE'));

  for (const purpose of ['sslserver', 'sslclient']) {
    const verified = opensslRun(openssl, ['verify', '-CAfile', join(dir, 'ca.pem'), '-purpose', purpose, join(dir, 'leaf.pem')]);
    assert.equal(verified.status, 0, verified.out);
    assert.match(verified.out, /leaf\.pem: OK/);
  }

  const caText = opensslRun(openssl, ['x509', '-in', join(dir, 'ca.pem'), '-noout', '-text']).out;
  assert.match(caText, /Version: 3 \(0x2\)/);
  assert.match(caText, /Signature Algorithm: ecdsa-with-SHA256/);
  assert.match(caText, /Issuer: CN ?= ?Builder test CA/);
  assert.match(caText, /Subject: CN ?= ?Builder test CA/);
  assert.match(caText, /X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  assert.match(caText, /X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
  assert.match(caText, /X509v3 Subject Key Identifier:/);
  assert.doesNotMatch(caText, /Subject Alternative Name|Extended Key Usage/);

  const leafText = opensslRun(openssl, ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-text']).out;
  assert.match(leafText, /Serial Number: 81985529216486895 \(0x123456789abcdef\)/);
  assert.match(leafText, /Signature Algorithm: ecdsa-with-SHA256/);
  assert.match(leafText, /Issuer: CN ?= ?Builder test CA/);
  assert.match(leafText, /Subject: CN ?= ?localhost/);
  assert.match(leafText, /Public Key Algorithm: rsaEncryption/);
  assert.match(leafText, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
  assert.match(leafText, /X509v3 Key Usage: critical\s+Digital Signature\n/);
  assert.match(leafText, /X509v3 Extended Key Usage: \s+TLS Web Server Authentication, TLS Web Client Authentication/);
  assert.match(leafText, /X509v3 Subject Alternative Name: \s+DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1, DNS:api\.example\.test/);
  const caKeyId = keyId(ca.publicKey).toString('hex').toUpperCase().match(/../g)!.join(':');
  assert.match(leafText, new RegExp(`X509v3 Authority Key Identifier: \\s+(keyid:)?${caKeyId}`));
});

test('openssl refuses a leaf that another CA signed, and one that has expired', (t) => {
  const openssl = requireExecutable(t, 'openssl');
  if (openssl === false) return;
  const dir = tempDir(t);
  const ca = makeCa('Trusted CA');
  const other = makeCa('Trusted CA'); // same name, other key: only the signature tells them apart
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const leaf = (signer: typeof ca, notAfter: number) =>
    x509.buildCertificate({
      signature: 'ES256',
      signingKey: signer.privateKey,
      publicKey: leafKey.publicKey,
      issuer: signer.name,
      subject: 'localhost',
      notBefore: new Date(Date.now() - 10 * DAY_MS),
      notAfter: new Date(notAfter),
      extensions: [x509.basicConstraints(false), x509.keyUsage(['digitalSignature']), x509.extendedKeyUsage(['server']), x509.subjectAltName(['localhost'])],
    });
  writeFileSync(join(dir, 'ca.pem'), x509.derToPem(ca.der, 'CERTIFICATE'));
  writeFileSync(join(dir, 'good.pem'), x509.derToPem(leaf(ca, Date.now() + DAY_MS), 'CERTIFICATE'));
  writeFileSync(join(dir, 'forged.pem'), x509.derToPem(leaf(other, Date.now() + DAY_MS), 'CERTIFICATE'));
  writeFileSync(join(dir, 'expired.pem'), x509.derToPem(leaf(ca, Date.now() - DAY_MS), 'CERTIFICATE'));
  const verify = (file: string) => opensslRun(openssl, ['verify', '-CAfile', join(dir, 'ca.pem'), '-purpose', 'sslserver', join(dir, file)]);
  assert.equal(verify('good.pem').status, 0, verify('good.pem').out);
  const forged = verify('forged.pem');
  assert.notEqual(forged.status, 0);
  assert.match(forged.out, /signature failure/i);
  const expired = verify('expired.pem');
  assert.notEqual(expired.status, 0);
  assert.match(expired.out, /certificate has expired/);
});

test('self-signed certificates without extensions, for RSA, EC and Ed25519 keys, verify with the signature algorithm asked for', (t) => {
  const openssl = requireExecutable(t, 'openssl');
  if (openssl === false) return;
  const dir = tempDir(t);
  const cases: [x509.CertificateSignature, KeyObject, KeyObject, RegExp][] = [];
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const ed = generateKeyPairSync('ed25519');
  cases.push(['RS256', rsa.publicKey, rsa.privateKey, /sha256WithRSAEncryption/]);
  cases.push(['RS512', rsa.publicKey, rsa.privateKey, /sha512WithRSAEncryption/]);
  cases.push(['ES384', p384.publicKey, p384.privateKey, /ecdsa-with-SHA384/]);
  cases.push(['ES512', p521.publicKey, p521.privateKey, /ecdsa-with-SHA512/]);
  cases.push(['Ed25519', ed.publicKey, ed.privateKey, /ED25519/]);
  for (const [signature, publicKey, privateKey, algorithmName] of cases) {
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
    const der = x509.buildCertificate({ signature, signingKey: privateKey, publicKey, issuer: 'acme.test', subject: 'acme.test', notBefore, notAfter: new Date(notBefore.getTime() + 3650 * DAY_MS) });
    const file = join(dir, `${signature}.pem`);
    writeFileSync(file, x509.derToPem(der, 'CERTIFICATE'));
    const verified = opensslRun(openssl, ['verify', '-CAfile', file, '-check_ss_sig', file]);
    assert.equal(verified.status, 0, `${signature}: ${verified.out}`);
    const text = opensslRun(openssl, ['x509', '-in', file, '-noout', '-text']).out;
    assert.match(text, new RegExp(`Signature Algorithm: ${algorithmName.source}`), signature);
    assert.doesNotMatch(text, /X509v3 extensions/, `${signature}: no extensions field`);
    const parsed = new X509Certificate(der);
    assert.equal(parsed.subject, 'CN=acme.test');
    assert.equal(Date.parse(parsed.validFrom), notBefore.getTime());
    assert.ok(parsed.verify(publicKey));
    const serial = BigInt(`0x${parsed.serialNumber}`);
    // 16 bytes, positive, first byte 0x01..0x7f: no sign padding, no leading zero byte
    assert.ok(serial >= 1n << 120n && serial < 1n << 127n, `${signature}: a positive 16-byte serial (${parsed.serialNumber})`);
  }
});
