/**
 * `gatehouse up --tls`: a local CA and a localhost certificate in <data-dir>/tls, the gateway over HTTPS
 * as well (HTTP/2 and HTTP/1.1), and the printed curl commands with --cacert run as a user would paste them.
 * A second start reuses the CA, so a CA the user trusted stays trusted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../cli/cli-process.js';
import { requireExecutable } from '../support/services.js';
import { freePorts, READY, shell, START_TIMEOUT_MS, statusLine } from './support.js';

test('up --tls serves the gateway over HTTPS with a local CA; the printed --cacert commands work', async (t) => {
  if (requireExecutable(t, 'curl') === false) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-up-tls-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const [gateway, idp, echo, https] = await freePorts(4);
  const args = ['up', '--tls', '--data-dir', dataDir, '--gateway-port', String(gateway), '--idp-port', String(idp), '--echo-port', String(echo), '--https-port', String(https)];
  const up = spawnCli(args);
  let caBefore: string;
  try {
    await up.waitFor(READY, START_TIMEOUT_MS);
    const output = up.stdout();
    const tlsDir = join(dataDir, 'tls');
    assert.equal(statSync(join(tlsDir, 'ca.key')).mode & 0o777, 0o600, 'the CA key is owner-only');
    assert.equal(statSync(join(tlsDir, 'localhost.key')).mode & 0o777, 0o600);
    caBefore = readFileSync(join(tlsDir, 'ca.pem'), 'utf8');
    const commands = output.split('\n').filter((line) => line.startsWith('curl --cacert'));
    assert.equal(commands.length, 3, output);
    assert.ok(commands.every((c) => c.includes(join(tlsDir, 'ca.pem')) && c.includes(`https://localhost:${https}`)));
    const login = output.split('\n').findIndex((line) => line.startsWith('TOKEN=$('));
    const tokenCommand = `${output.split('\n')[login]}\n${output.split('\n')[login + 1]}`;
    const [noToken, withToken, http1] = commands as [string, string, string];
    const denied = await shell(noToken);
    assert.equal(statusLine(denied.stdout).trim(), 'HTTP/2 403', denied.stderr);
    const allowed = await shell(`${tokenCommand}\n${withToken.replace('curl ', 'curl -sS -D - ')}`);
    assert.equal(statusLine(allowed.stdout).trim(), 'HTTP/2 200', allowed.stderr);
    const viaHttp1 = await shell(`${tokenCommand}\n${http1.replace('curl ', 'curl -sS -D - ')}`);
    assert.equal(statusLine(viaHttp1.stdout), 'HTTP/1.1 200 OK', viaHttp1.stderr);
    const untrusted = await shell(`curl -sS -o /dev/null https://localhost:${https}/`);
    assert.notEqual(untrusted.code, 0, 'without --cacert the certificate is not trusted');
    const plain = await shell(`curl -sS -o /dev/null -w '%{http_code}' http://localhost:${gateway}/`);
    assert.equal(plain.stdout, '403', 'plain HTTP keeps working');
    assert.equal(await up.stop('SIGTERM'), 0);
  } finally {
    await up.stop('SIGKILL');
  }
  const again = spawnCli(args);
  try {
    await again.waitFor(READY, START_TIMEOUT_MS);
    assert.match(again.stdout(), /ca\.pem, reused\)/);
    assert.equal(readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'), caBefore, 'the CA is kept across starts');
    assert.equal(await again.stop('SIGTERM'), 0);
  } finally {
    await again.stop('SIGKILL');
  }
});
