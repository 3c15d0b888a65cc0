/**
 * The local CA of `up --tls` (JS only, no openssl): a CA and a localhost certificate that openssl and
 * Node both verify, reused while valid, the localhost certificate renewed by the same CA when it nears
 * its end or its key no longer matches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalTls } from '../../../src/cli/up/local-tls.js';
import { issueCertificate } from '../../../src/gateway/tls/local-ca.js';
import { requireExecutable } from '../../support/services.js';

test('creates a CA and a localhost certificate that openssl verifies, for localhost, 127.0.0.1 and ::1', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-localtls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = ensureLocalTls(dir);
  assert.equal(files.action, 'created');
  const leaf = new X509Certificate(readFileSync(files.cert));
  const ca = new X509Certificate(readFileSync(files.caCert));
  assert.ok(ca.ca, 'the CA certificate is a CA');
  assert.ok(!leaf.ca);
  assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  assert.equal(leaf.checkHost('localhost'), 'localhost');
  assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(leaf.checkIP('::1'), '::1');
  assert.equal(leaf.checkHost('example.com'), undefined);
  const openssl = requireExecutable(t, 'openssl');
  if (openssl === false) return;
  const verified = execFileSync(openssl, ['verify', '-CAfile', files.caCert, '-purpose', 'sslserver', files.cert], { encoding: 'utf8' });
  assert.match(verified, /: OK/);
});

test('reuses valid files; renews a localhost certificate that nears its end, with the same CA', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-localtls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = ensureLocalTls(dir);
  const caPem = readFileSync(first.caCert, 'utf8');
  const leafPem = readFileSync(first.cert, 'utf8');
  assert.equal(ensureLocalTls(dir).action, 'reused');
  assert.equal(readFileSync(first.cert, 'utf8'), leafPem);
  // a certificate with 10 days left, from another CA: renewed by ours
  const other = issueCertificate({ commonName: 'other' });
  const soon = issueCertificate({ commonName: 'localhost', names: ['localhost'], issuer: other, notAfter: Date.now() + 10 * 86_400_000 });
  writeFileSync(first.cert, soon.cert);
  writeFileSync(first.key, soon.key);
  const second = ensureLocalTls(dir);
  assert.equal(second.action, 'renewed');
  assert.equal(readFileSync(first.caCert, 'utf8'), caPem, 'the CA a user trusted is kept');
  const renewed = new X509Certificate(readFileSync(first.cert));
  assert.ok(renewed.verify(new X509Certificate(caPem).publicKey));
  assert.ok(Date.parse(renewed.validTo) - Date.now() > 300 * 86_400_000);
});
