/**
 * PEM key files as in the seed (`pubkey.pem`): public keys and certificates, resolved against the
 * config directory, private keys refused, and re-read on every policy build — which is what the
 * gateway does on SIGHUP, so a rotated file takes effect on reload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthPolicy, type AuthPolicyConfigInput } from '../../../src/gateway/auth/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { AUDIENCE, ecKey, frozenNow, ISSUER, newRsaKey, reasonOf, rsaKey, token } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pem-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const pem = (k: { publicKey: { export(o: object): string | Buffer } }) => k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const build = (keys: AuthPolicyConfigInput['keys'], algorithms: AuthPolicyConfigInput['algorithms'] = ['RS256']) =>
  createAuthPolicy('pem', { issuer: ISSUER, audience: AUDIENCE, algorithms, keys }, { baseDir: dir, now: frozenNow });

async function refusedWith(keys: AuthPolicyConfigInput['keys'], pattern: RegExp, code = 'ERR_KEY_UNSAFE'): Promise<void> {
  await assert.rejects(build(keys), (e: unknown) => isGatehouseError(e) && e.code === code && pattern.test(e.message) && !e.message.includes('BEGIN'));
}

test('a PEM public key file, relative to the config directory, verifies the seed\'s RS256 tokens', async () => {
  writeFileSync(join(dir, 'pubkey.pem'), pem(rsaKey()));
  const p = await build({ file: './pubkey.pem' });
  assert.equal(await reasonOf(p, token()), 'OK');
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'hCR08_wZGk49AeaAfD69fbJZdFM' } })), 'OK', 'a kid is ignored for an unnamed file key, as HAProxy does');
  p.close();
});

test('a rewritten file is picked up by the next build (SIGHUP reload), not by the running policy', async () => {
  const file = join(dir, 'rotating.pem');
  const next = newRsaKey();
  writeFileSync(file, pem(rsaKey()));
  const before = await build({ file });
  writeFileSync(file, pem(next));
  assert.equal(await reasonOf(before, token()), 'OK', 'the running policy keeps the keys it loaded');
  const after = await build({ file });
  assert.equal(await reasonOf(after, token()), 'SIG');
  assert.equal(await reasonOf(after, token({ key: next.privateKey })), 'OK');
  before.close();
  after.close();
});

test('several files and several blocks per file; EC keys for ES256', async () => {
  const ec = ecKey();
  writeFileSync(join(dir, 'two.pem'), pem(newRsaKey()) + pem(rsaKey()));
  writeFileSync(join(dir, 'ec.pem'), pem(ec));
  const p = await build({ file: ['two.pem', 'ec.pem'] }, ['RS256', 'ES256']);
  assert.equal(await reasonOf(p, token()), 'OK');
  assert.equal(await reasonOf(p, token({ alg: 'ES256', key: ec.privateKey })), 'OK');
  p.close();
});

test('an X.509 certificate file gives its public key', async () => {
  // A self-signed test-only certificate and its key, committed as fixtures (made with
  // `openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=gatehouse-test-only`).
  const fixtures = fileURLToPath(new URL('../../../../test/gateway/auth/fixtures/', import.meta.url));
  copyFileSync(join(fixtures, 'test-only-cert.pem'), join(dir, 'cert.pem'));
  const certKey = createPrivateKey(readFileSync(join(fixtures, 'test-only-cert-key.pem')));
  const p = await build({ file: 'cert.pem' });
  assert.equal(await reasonOf(p, token({ key: certKey })), 'OK');
  assert.equal(await reasonOf(p, token()), 'SIG');
  p.close();
});

test('private keys, unsafe keys, wrong key types and unreadable files are refused at build, without key material in the message', async () => {
  writeFileSync(join(dir, 'private.pem'), rsaKey().privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  await refusedWith({ file: 'private.pem' }, /private key/);
  writeFileSync(join(dir, 'pkcs1-private.pem'), rsaKey().privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
  await refusedWith({ file: 'pkcs1-private.pem' }, /private key/);
  writeFileSync(join(dir, 'small.pem'), pem(newRsaKey(1024)));
  await refusedWith({ file: 'small.pem' }, /1024 bits/);
  writeFileSync(join(dir, 'e3.pem'), pem(newRsaKey(2048, 3)));
  await refusedWith({ file: 'e3.pem' }, /exponent/);
  writeFileSync(join(dir, 'ec-only.pem'), pem(ecKey()));
  await refusedWith({ file: 'ec-only.pem' }, /cannot verify any of RS256/);
  writeFileSync(join(dir, 'garbage.pem'), 'not a key\n');
  await refusedWith({ file: 'garbage.pem' }, /no PEM block/);
  writeFileSync(join(dir, 'broken.pem'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
  await refusedWith({ file: 'broken.pem' }, /not a valid public key/);
  await refusedWith({ file: 'missing.pem' }, /cannot read .*missing\.pem \(ENOENT\)/, 'ERR_CONFIG_READ');
  await assert.rejects(build({ file: ['pubkey.pem', 'missing.pem'] }), (e: unknown) => isGatehouseError(e) && /auth\.pem\.keys\.file\[1\]/.test(e.message));
});
