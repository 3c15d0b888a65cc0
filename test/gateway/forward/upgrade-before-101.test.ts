/**
 * Guards issue 15 item 1: nothing a client sends after an upgrade request leaves the gateway before the
 * upstream answered 101 with a matching Upgrade, and the upgrade request itself passes every admission
 * stage (route, source rules, rate limit, authorization, header rules) like any request.
 *
 * The attack: one write of `GET /public/ws` (upgrade) + `GET /admin/delete-everything` on a frontend where
 * everything but /public needs a JWT; the backend, a plain HTTP app, answers the upgrade 200. The second
 * request must be admitted (401) by the gateway as a request of its own, and never reach the backend.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/gateway-process.js';
import { rawRequest } from '../support/raw-http.js';
import { startInProcess } from '../support/in-process.js';
import { createPki } from '../tls/support/pki.js';
import { OK_200, startRecordingBackend } from './support/recording-backend.js';

// the gateway's real JWT policy, built from config: no token in these tests, so every guarded request is refused
const keyFile = join(tempDir('gatehouse-upgrade-'), 'pubkey.pem');
writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string);
const AUTH = { jwt: { issuer: 'https://issuer.test', audience: 'api', keys: { file: keyFile } } };

/** A TLS frontend (a certificate from a test CA) in front of a recording backend answering 200; closed after the test. */
async function startTlsGateway(t: TestContext, server: 'gatehouse' | 'node' = 'gatehouse') {
  const pki = createPki(t);
  if (pki === undefined) return undefined;
  const site = pki.issue('site', ['localhost']);
  const backend = await startRecordingBackend(() => OK_200);
  const gw = await startInProcess(frontend(backend.port, { server, tls: { cert: site.certFile, key: site.keyFile } }), 'web');
  t.after(async () => {
    await gw.close();
    await backend.close();
    pki.close();
  });
  return { pki, backend, gw };
}

const UPGRADE = 'GET /public/ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
const SMUGGLED = 'GET /admin/delete-everything HTTP/1.1\r\nHost: app.test\r\nX-User: admin\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n';

function frontend(port: number, extra: Record<string, unknown> = {}) {
  return {
    auth: AUTH,
    access_log: false,
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'jwt', routes: [{ path_prefix: '/public', backend: 'app', auth: false }], ...extra } },
    backends: { app: { servers: { s: { address: `127.0.0.1:${port}` } } } },
  };
}

test('a request pipelined behind an upgrade the backend answers 200 is admitted on its own (401) and never reaches the backend', async (t) => {
  const backend = await startRecordingBackend(() => OK_200);
  const gw = await startInProcess(frontend(backend.port), 'web');
  t.after(async () => {
    await gw.close();
    await backend.close();
  });
  const result = await rawRequest(gw.port, `${UPGRADE}\r\n${SMUGGLED}`, { waitMs: 1_500 });
  assert.match(result.text, /^HTTP\/1\.1 200 /, 'the upgrade answer is relayed as an ordinary response');
  assert.match(result.text, /\r\n\r\nokHTTP\/1\.1 401 /, 'the second request is answered by the gateway: 401');
  assert.match(backend.received(), /GET \/public\/ws /);
  assert.doesNotMatch(backend.received(), /delete-everything/, 'the backend never saw the second request');
});

// a TLS frontend's HTTP/1.1 is the own server, as on a plain frontend; with server: node it is node:http,
// which stops parsing at an upgrade, so a non-101 answer closes the connection there
for (const server of ['gatehouse', 'node'] as const) {
  const name = server === 'gatehouse' ? 'is admitted on its own (401)' : 'is dropped (the connection closes after the 200)';
  test(`TLS frontend, server: ${server}: a request pipelined behind an upgrade answered 200 ${name} and never reaches the backend`, async (t) => {
    const started = await startTlsGateway(t, server);
    if (started === undefined) return;
    const { pki, backend, gw } = started;
    const { text, closed } = await new Promise<{ text: string; closed: boolean }>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: gw.port, servername: 'localhost', ca: pki.ca.cert, ALPNProtocols: ['http/1.1'] });
      let got = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ text: got, closed: false });
      }, 1_500);
      socket.setEncoding('latin1');
      socket.on('data', (data: string) => (got += data));
      socket.on('error', reject);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ text: got, closed: true });
      });
      socket.once('secureConnect', () => socket.write(`${UPGRADE}\r\n${SMUGGLED}`));
    });
    assert.match(text, /^HTTP\/1\.1 200 /);
    if (server === 'gatehouse') {
      assert.match(text, /\r\n\r\nokHTTP\/1\.1 401 /, 'the second request is answered by the gateway: 401');
    } else {
      assert.match(text, /connection: close/i);
      assert.ok(closed, 'closed after the 200');
      assert.doesNotMatch(text, /HTTP\/1\.1 200[^]*HTTP\/1\.1 /, 'one answer only');
    }
    assert.doesNotMatch(backend.received(), /delete-everything/, 'the backend never saw the second request');
  });
}

test('bytes sent before the 101 reach the upstream only after it, and the tunnel then carries them', async (t) => {
  let beforeSwitch = '';
  const backend = await startRecordingBackend((head, socket) => {
    setTimeout(() => {
      beforeSwitch = backend.received();
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (data: string) => socket.write(`echo:${data}`));
    }, 200);
    assert.match(head.requestLine, /^GET \/public\/ws /);
    return undefined;
  });
  const gw = await startInProcess(frontend(backend.port), 'web');
  t.after(async () => {
    await gw.close();
    await backend.close();
  });
  const result = await rawRequest(gw.port, `${UPGRADE}\r\nearly-bytes`, { waitMs: 1_000 });
  assert.match(result.text, /^HTTP\/1\.1 101 /);
  assert.match(result.text, /\r\nupgrade: websocket\r\n/i);
  assert.match(beforeSwitch, /^GET \/public\/ws HTTP\/1\.1\r\n[^]*\r\n\r\n$/, 'the upstream got exactly the upgrade head before it answered');
  assert.doesNotMatch(beforeSwitch, /early-bytes/);
  assert.match(backend.received(), /\r\n\r\nearly-bytes$/, 'then the held bytes');
  assert.match(result.text, /echo:early-bytes/);
});

for (const [name, request] of [
  ['Connection: close, upgrade', UPGRADE.replace('Connection: Upgrade', 'Connection: close, upgrade') + '\r\n'],
  ['a chunked POST with Upgrade', UPGRADE.replace('GET', 'POST') + 'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: app.test\r\n\r\n'],
  ['a POST with a Content-Length body and Upgrade', UPGRADE.replace('GET', 'POST') + 'Content-Length: 40\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: app.test\r\n\r\n'],
] as const) {
  test(`an upgrade request with ${name} is refused (400) and nothing reaches the backend`, async (t) => {
    const backend = await startRecordingBackend(() => OK_200);
    const gw = await startInProcess(frontend(backend.port), 'web');
    t.after(async () => {
      await gw.close();
      await backend.close();
    });
    const result = await rawRequest(gw.port, request, { waitMs: 1_000 });
    assert.equal(result.status, 400, result.text);
    assert.ok(result.closed, 'the connection is closed');
    assert.equal(backend.received(), '', 'the backend got nothing');
  });
}

test('an upgrade request passes source rules: a denied address gets 403 and nothing reaches the backend', async (t) => {
  const backend = await startRecordingBackend(() => OK_200);
  const gw = await startInProcess(frontend(backend.port, { deny_from: ['127.0.0.0/8'] }), 'web');
  t.after(async () => {
    await gw.close();
    await backend.close();
  });
  const result = await rawRequest(gw.port, `${UPGRADE}\r\n`, { waitMs: 1_000 });
  assert.equal(result.status, 403, result.text);
  assert.equal(backend.received(), '');
});

test('an upgrade request passes the rate limit: past it, 429 and nothing more reaches the backend', async (t) => {
  const backend = await startRecordingBackend(() => OK_200);
  const config = { ...frontend(backend.port, { rate_limit: 'one' }), rate_limits: { one: { requests: 1, period: '1m' } } };
  const gw = await startInProcess(config, 'web');
  t.after(async () => {
    await gw.close();
    await backend.close();
  });
  const first = await rawRequest(gw.port, `${UPGRADE}\r\n`, { waitMs: 500 });
  assert.equal(first.status, 200, first.text);
  const seen = backend.received();
  const second = await rawRequest(gw.port, `${UPGRADE}\r\n`, { waitMs: 500 });
  assert.equal(second.status, 429, second.text);
  assert.equal(backend.received(), seen, 'the limited upgrade never reached the backend');
});

test('an upgrade request passes the header rules: the head the backend gets is the rewritten one', async (t) => {
  const backend = await startRecordingBackend(() => OK_200);
  const gw = await startInProcess(frontend(backend.port, { request_headers: { set: { 'X-Gate': 'checked' }, remove: ['X-Drop'] } }), 'web');
  t.after(async () => {
    await gw.close();
    await backend.close();
  });
  const result = await rawRequest(gw.port, `${UPGRADE}X-Drop: secret\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n`, { waitMs: 500 });
  assert.equal(result.status, 200, result.text);
  const head = backend.received();
  assert.match(head, /\r\nX-Gate: checked\r\n/i);
  assert.doesNotMatch(head, /x-drop/i);
  assert.match(head, /\r\nx-forwarded-for: 127\.0\.0\.1\r\n/i, 'the client\'s X-Forwarded-For is not believed');
  assert.match(head, /\r\nconnection: Upgrade\r\n/i);
  assert.match(head, /\r\nupgrade: websocket\r\n/i);
});

test('TLS frontend: an upgrade with Connection: close or a body is refused (400, closed) and nothing reaches the backend', async (t) => {
  const started = await startTlsGateway(t);
  if (started === undefined) return;
  const { pki, backend, gw } = started;
  for (const request of [
    UPGRADE.replace('Connection: Upgrade', 'Connection: close, upgrade') + '\r\n',
    UPGRADE.replace('GET', 'POST') + 'Content-Length: 40\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: app.test\r\n\r\n',
  ]) {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: gw.port, servername: 'localhost', ca: pki.ca.cert, ALPNProtocols: ['http/1.1'] });
      let got = '';
      socket.setEncoding('latin1');
      socket.on('data', (data: string) => (got += data));
      socket.on('error', reject);
      socket.on('close', () => resolve(got));
      socket.once('secureConnect', () => socket.write(request));
    });
    assert.match(text, /^HTTP\/1\.1 400 [^]*connection: close/i);
  }
  assert.equal(backend.received(), '', 'the backend got nothing');
});
