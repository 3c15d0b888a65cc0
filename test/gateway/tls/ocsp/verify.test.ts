/**
 * Every OCSP response is verified before it is stapled: real responses made by `openssl ocsp` (signed by
 * the CA, by a delegated id-kp-OCSPSigning responder, by another key, by a CA-issued certificate that is
 * not an OCSP signer; good, revoked; for this certificate or another one), checked at chosen instants.
 * The OCSPRequest the gateway sends is one openssl's responder answers for the right certificate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ocspRequest, ocspTarget, verifyOcspResponse } from '../../../../src/gateway/tls/ocsp/index.js';
import { createOcspPki } from '../support/ocsp.js';

test('a good response signed by the issuer, or by its delegated OCSP responder, verifies; its window is read', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const leaf = pki.issue('site', 'site.test');
  const target = ocspTarget(leaf.certFile, readFileSync(leaf.certFile, 'utf8'), { baseDir: pki.dir });
  assert.equal(target.url, pki.url, 'the responder comes from the AIA extension');
  for (const signer of ['ca', 'delegate'] as const) {
    const verdict = verifyOcspResponse(pki.respond(leaf, { signer, minutes: 60 }), target);
    assert.equal(verdict.ok, true, `${signer}: ${JSON.stringify(verdict)}`);
    if (!verdict.ok) continue;
    assert.ok(Math.abs(verdict.thisUpdate - Date.now()) < 120_000);
    assert.ok(Math.abs(verdict.nextUpdate - verdict.thisUpdate - 3_600_000) < 2_000);
  }
});

test('a response without nextUpdate counts as expiring 7 days after its thisUpdate', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const leaf = pki.issue('site', 'site.test');
  const target = ocspTarget(leaf.certFile, readFileSync(leaf.certFile, 'utf8'), { baseDir: pki.dir });
  const der = pki.respond(leaf, { minutes: 0 });
  const verdict = verifyOcspResponse(der, target);
  assert.ok(verdict.ok);
  assert.equal(verdict.nextUpdate - verdict.thisUpdate, 7 * 86_400_000);
  const later = verifyOcspResponse(der, target, Date.now() + 7 * 86_400_000 + 60_000);
  assert.ok(!later.ok && later.reason === 'expired' && /none set/.test(later.detail));
});

test('refused: revoked, wrong signer, a signer without id-kp-OCSPSigning, another certificate, expired, from the future, garbage', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const leaf = pki.issue('site', 'site.test');
  const other = pki.issue('other', 'other.test');
  const target = ocspTarget(leaf.certFile, readFileSync(leaf.certFile, 'utf8'), { baseDir: pki.dir });
  const reason = (der: Buffer, now?: number) => {
    const verdict = verifyOcspResponse(der, target, now);
    return verdict.ok ? 'ok' : verdict.reason;
  };
  const good = pki.respond(leaf, { minutes: 60 });
  assert.equal(reason(good), 'ok');
  assert.equal(reason(pki.respond(leaf, { signer: 'other-ca' })), 'signature', 'signed by a key that is not the issuer (same CA name)');
  assert.equal(reason(pki.respond(leaf, { signer: 'not-ocsp-signer' })), 'signature', 'a certificate of the CA without id-kp-OCSPSigning');
  assert.equal(reason(pki.respond(other)), 'cert-id', "another certificate's (good) response");
  assert.equal(reason(good, Date.now() + 61 * 60_000), 'expired', 'after nextUpdate');
  assert.equal(reason(good, Date.now() - 10 * 60_000), 'not-yet-valid', 'thisUpdate beyond the 5 minutes of skew');
  assert.equal(reason(good, Date.now() - 2 * 60_000), 'ok', 'within the skew');
  assert.equal(reason(Buffer.from('not DER at all')), 'malformed');
  // a tampered response: one byte of the signed data changed
  const tampered = Buffer.from(good);
  const at = tampered.indexOf(Buffer.from([0x18, 0x0f])) + 4; // inside the first GeneralizedTime (producedAt)
  tampered[at] = tampered[at] === 0x31 ? 0x32 : 0x31;
  assert.equal(reason(tampered), 'signature');
  pki.revoke(leaf);
  assert.equal(reason(pki.respond(leaf)), 'revoked');
  // an unsuccessful status: what openssl answers a malformed request
  assert.equal(reason(Buffer.from('30030a0101', 'hex')), 'status');
});

test("the gateway's OCSPRequest is what openssl's responder answers for the served certificate", async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const leaf = pki.issue('site', 'site.test');
  const target = ocspTarget(leaf.certFile, readFileSync(leaf.certFile, 'utf8'), { baseDir: pki.dir });
  writeFileSync(join(pki.dir, 'ours.req'), ocspRequest(target));
  const text = execFileSync('openssl', ['ocsp', '-reqin', 'ours.req', '-req_text'], { cwd: pki.dir }).toString();
  const serial = execFileSync('openssl', ['x509', '-in', leaf.leafFile, '-noout', '-serial']).toString().trim().replace('serial=', '');
  assert.match(text, /Hash Algorithm: sha1/);
  assert.match(text, new RegExp(`Serial Number: ${serial}`, 'i'));
  execFileSync('openssl', ['ocsp', '-index', 'index.txt', '-CA', 'ca.pem', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-reqin', 'ours.req', '-respout', 'ours.resp', '-ndays', '1'], { cwd: pki.dir, stdio: 'ignore' });
  const verdict = verifyOcspResponse(readFileSync(join(pki.dir, 'ours.resp')), target);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
});

test('no issuer: the chain, <crt>.issuer and tls.ocsp.issuer are tried; the error names the file', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const leaf = pki.issue('site', 'site.test');
  const alone = readFileSync(leaf.leafFile, 'utf8');
  assert.throws(() => ocspTarget(leaf.leafFile, alone, { baseDir: pki.dir }), (error: Error & { code?: string }) => error.code === 'ERR_TLS_OCSP' && error.message.includes(leaf.leafFile) && error.message.includes('.issuer'));
  assert.equal(ocspTarget(leaf.leafFile, alone, { baseDir: pki.dir, issuer: 'ca.pem' }).issuer.subject, 'CN=Gatehouse OCSP test CA');
  writeFileSync(`${leaf.leafFile}.issuer`, readFileSync(pki.caFile));
  assert.ok(ocspTarget(leaf.leafFile, alone, { baseDir: pki.dir }).issuer.checkIssued(ocspTarget(leaf.certFile, readFileSync(leaf.certFile, 'utf8'), { baseDir: pki.dir }).issuer));
});
