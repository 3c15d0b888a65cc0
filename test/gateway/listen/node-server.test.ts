/**
 * `server: node` on a plain frontend: node:http serves it instead of the gateway's own HTTP/1.1 server,
 * with the same admission pipeline. Its upgrades are adapted into (req, res) pairs
 * (src/gateway/listen/upgrade-response.ts): a WebSocket still tunnels after the upstream's 101, and a
 * request pipelined behind an upgrade the backend answers 200 never reaches the backend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/gateway-process.js';
import { rawRequest } from '../support/raw-http.js';
import { startInProcess } from '../support/in-process.js';
import { OK_200, startRecordingBackend } from '../forward/support/recording-backend.js';

// the gateway's real JWT policy, built from config: no token in these tests, so every guarded request is refused
const keyFile = join(tempDir('gatehouse-node-server-'), 'pubkey.pem');
writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string);
const UPGRADE = 'GET /public/ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';

function config(port: number) {
  return {
    auth: { jwt: { issuer: 'https://issuer.test', audience: 'api', keys: { file: keyFile } } },
    access_log: false,
    frontends: { web: { bind: '127.0.0.1:0', server: 'node', default_backend: 'app', auth: 'jwt', routes: [{ path_prefix: '/public', backend: 'app', auth: false }] } },
    backends: { app: { servers: { s: { address: `127.0.0.1:${port}` } } } },
  };
}

test('server: node proxies through the same pipeline: an open route answers, a protected one is denied by the policy', async (t) => {
  const backend = await startRecordingBackend(() => OK_200);
  const gw = await startInProcess(config(backend.port), 'web');
  t.after(async () => {
    await gw.close();
    await backend.close();
  });
  const result = await rawRequest(gw.port, 'GET /public/a HTTP/1.1\r\nHost: app.test\r\n\r\nGET /private HTTP/1.1\r\nHost: app.test\r\n\r\n', { waitMs: 800 });
  assert.match(result.text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\nKeep-Alive: timeout=\d+\r\n/, 'node:http answered (its Keep-Alive header)');
  assert.match(result.text, /okHTTP\/1\.1 401 /);
  assert.doesNotMatch(backend.received(), /\/private/);
});

test('server: node: a request pipelined behind an upgrade answered 200 never reaches the backend; a 101 tunnels', async (t) => {
  let upgrades = 0;
  const backend = await startRecordingBackend((head, socket) => {
    if (!head.requestLine.includes('/public/ws101')) return OK_200;
    upgrades++;
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (data: string) => socket.write(`echo:${data}`));
    return undefined;
  });
  const gw = await startInProcess(config(backend.port), 'web');
  t.after(async () => {
    await gw.close();
    await backend.close();
  });
  const smuggled = await rawRequest(gw.port, `${UPGRADE}\r\nGET /admin/delete-everything HTTP/1.1\r\nHost: app.test\r\n\r\n`, { waitMs: 1_000 });
  assert.match(smuggled.text, /^HTTP\/1\.1 200 [^]*connection: close/i);
  assert.ok(smuggled.closed, 'the connection closes after a non-101 answer to an upgrade');
  assert.doesNotMatch(backend.received(), /delete-everything/);

  const tunnelled = await rawRequest(gw.port, [`${UPGRADE.replace('/public/ws', '/public/ws101')}\r\nearly`, 'late'], { gapMs: 200, waitMs: 500 });
  assert.equal(upgrades, 1);
  assert.match(tunnelled.text, /^HTTP\/1\.1 101 /);
  assert.match(tunnelled.text, /echo:early/);
  assert.match(tunnelled.text, /echo:late/);
});
