/**
 * SIGHUP re-reads PEM key files: a real gateway process verifies with pubkey.pem; the file is replaced
 * by a new key and the process gets SIGHUP; tokens of the new key pass and tokens of the old key stop.
 * A reload whose key file is broken is refused and the old keys keep serving; a changed policy (another
 * audience) takes effect on the next SIGHUP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startGatewayProcess, tempDir } from '../../support/gateway-process.js';
import { newRsaKey, token, validClaims } from '../support.js';
import { gatehouseSeedConfig } from './seed-setup.js';
import { client } from './http-client.js';

test('SIGHUP: a rotated pubkey.pem takes effect; a broken one is refused and the old key keeps serving; policy changes apply', async () => {
  const dir = tempDir('gatehouse-sighup-');
  const pemPath = join(dir, 'pubkey.pem');
  const first = newRsaKey();
  const second = newRsaKey();
  const pem = (k: typeof first) => k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  writeFileSync(pemPath, pem(first));
  const upstream = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamAddress = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const gateway = await startGatewayProcess(gatehouseSeedConfig({ pubkeyPath: pemPath, upstream: upstreamAddress }));
  await gateway.waitForLine((l) => l.frontend === 'myfrontend' && typeof l.port === 'number');
  const http = client(gateway.port('myfrontend'));
  const nowS = Math.floor(Date.now() / 1000);
  const claims = validClaims({ exp: nowS + 3600, iat: nowS });
  const byFirst = `Bearer ${token({ key: first.privateKey, claims })}`;
  const bySecond = `Bearer ${token({ key: second.privateKey, claims })}`;
  try {
    assert.equal((await http.get(byFirst)).status, 200);
    assert.equal((await http.get(bySecond)).body, 'Invalid JWT signature');

    writeFileSync(pemPath, pem(second));
    const reloads = () => gateway.lines.filter((l) => l.msg === 'config reloaded').length;
    gateway.child.kill('SIGHUP');
    await gateway.waitForLine((l) => l.msg === 'config reloaded');
    assert.equal((await http.get(bySecond)).status, 200, 'the new key verifies after SIGHUP');
    assert.equal((await http.get(byFirst)).body, 'Invalid JWT signature', 'the old key no longer does (and no cached OK survived)');

    writeFileSync(pemPath, 'not a key\n');
    gateway.child.kill('SIGHUP');
    await gateway.waitForLine((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('config reload refused'));
    assert.equal(reloads(), 1);
    assert.equal((await http.get(bySecond)).status, 200, 'the old config keeps serving');

    // The policy itself is rebuilt from the config on SIGHUP too: a new audience takes effect.
    writeFileSync(pemPath, pem(second));
    gateway.writeConfig(gatehouseSeedConfig({ pubkeyPath: pemPath, upstream: upstreamAddress }).replace(/audience: .*/, 'audience: another-application'));
    gateway.child.kill('SIGHUP');
    await gateway.waitForLine((l) => l.msg === 'config reloaded' && reloads() === 2);
    assert.equal((await http.get(bySecond)).body, 'Invalid JWT audience');
  } finally {
    http.close();
    await gateway.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  }
});
