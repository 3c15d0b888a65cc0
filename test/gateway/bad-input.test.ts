/**
 * Malformed and hostile HTTP/1.1 input, sent over raw sockets to the gateway running as a real process
 * (jwt-attacks.md section I). Each case must be refused before any upstream sees it, with the
 * connection closed, and the gateway must keep serving afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from './support/raw-http.js';
import { oneServerYaml, startReadyGateway, type GatewayProcess } from './support/gateway-process.js';
import { startUpstream, type TestUpstream } from './support/upstream.js';

let upstream: TestUpstream;
let gateway: GatewayProcess;
let port: number;

before(async () => {
  upstream = await startUpstream('a');
  gateway = await startReadyGateway(oneServerYaml(upstream.address, 'timeouts: { http_request: 600ms }'));
  port = gateway.port('web');
});

after(async () => {
  await gateway.stop();
  await upstream.close();
});

async function refused(name: string, raw: string | string[], status: number, options?: { gapMs?: number; waitMs?: number }) {
  const before = upstream.requests;
  const result = await rawRequest(port, raw, options);
  assert.equal(result.status, status, `${name}: got ${JSON.stringify(result.text.slice(0, 80))}`);
  assert.ok(result.closed, `${name}: the connection is closed`);
  assert.equal(upstream.requests, before, `${name}: nothing reached the upstream`);
}

const H = 'Host: gw.test\r\n';

test('smuggling: Content-Length with Transfer-Encoding → 400 and close', async () => {
  await refused('CL.TE', `POST / HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n`, 400);
  await refused('TE.CL', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n`, 400);
});

test('smuggling: two Content-Lengths (different or equal) → 400 and close', async () => {
  await refused('two CL', `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`, 400);
  await refused('two equal CL', `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, 400);
  await refused('CL list', `POST / HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`, 400);
});

test('obfuscated Transfer-Encoding and obs-fold → 400 and close', async () => {
  await refused('xchunked', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`, 400);
  await refused('obs-fold TE', `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n`, 400);
  await refused('obs-fold', `GET / HTTP/1.1\r\n${H}X-Folded: a\r\n b\r\n\r\n`, 400);
  await refused('space before colon', `GET / HTTP/1.1\r\n${H}X-Bad : a\r\n\r\n`, 400);
  await refused('bad chunk size', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`, 400);
});

test('a header block over the limit → 431 and close', async () => {
  await refused('big headers', `GET / HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431);
});

test('two Host headers, a Host with a comma or userinfo, or none on HTTP/1.1 → 400 and close', async () => {
  await refused('two Host', `GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n`, 400);
  await refused('Host comma', `GET / HTTP/1.1\r\nHost: a.test, b.test\r\n\r\n`, 400);
  await refused('Host userinfo', `GET / HTTP/1.1\r\nHost: user@a.test\r\n\r\n`, 400);
  await refused('no Host', `GET / HTTP/1.1\r\n\r\n`, 400);
});

test('paths: encoded slash or backslash, NUL, fragment, absolute-form for another host → 400; too long → 414', async () => {
  await refused('%2F', `GET /admin%2Fsecret HTTP/1.1\r\n${H}\r\n`, 400);
  await refused('%5C', `GET /admin%5Csecret HTTP/1.1\r\n${H}\r\n`, 400);
  await refused('%00', `GET /admin%00 HTTP/1.1\r\n${H}\r\n`, 400);
  await refused('fragment', `GET /a#b HTTP/1.1\r\n${H}\r\n`, 400);
  await refused('absolute-form mismatch', `GET http://other.test/ HTTP/1.1\r\n${H}\r\n`, 400);
  await refused('long URL', `GET /${'a'.repeat(9_000)} HTTP/1.1\r\n${H}\r\n`, 414);
});

test('dot segments and %2e%2e are normalised before routing and reach the upstream normalised', async () => {
  const result = await rawRequest(port, `GET /public/%2e%2e/./admin/../admin/x HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  assert.equal(result.status, 200);
  assert.match(result.text, /"url":"\/admin\/x"/);
});

test('headers trickled slowly are cut off by the request-headers timeout (408, closed)', async () => {
  const lines = ['GET / HTTP/1.1\r\n', H, ...Array.from({ length: 8 }, (_, i) => `X-Slow-${i}: x\r\n`), '\r\n'];
  await refused('slowloris', lines, 408, { gapMs: 250, waitMs: 500 });
});

test('only WebSocket upgrades are accepted (h2c refused)', async () => {
  await refused('h2c', `GET / HTTP/1.1\r\n${H}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n`, 400);
});

test('after all of that the gateway still serves', async () => {
  const result = await rawRequest(port, `GET /ok HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  assert.equal(result.status, 200);
  assert.equal(gateway.child.exitCode, null);
});

test('a client that disconnects mid-upload or before the response does not hurt the gateway', async () => {
  const partial = await rawRequest(port, `POST /upload HTTP/1.1\r\n${H}Content-Length: 1000000\r\n\r\n${'x'.repeat(10_000)}`, { waitMs: 200 });
  assert.equal(partial.status, 0, 'no response yet: the body was not complete');
  const early = await rawRequest(port, `GET /slow/500 HTTP/1.1\r\n${H}\r\n`, { waitMs: 100 });
  assert.equal(early.status, 0);
  await new Promise((r) => setTimeout(r, 700));
  const result = await rawRequest(port, `GET /ok HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  assert.equal(result.status, 200);
  assert.equal(gateway.child.exitCode, null);
  const access = gateway.lines.filter((l) => l.log === 'access' && (l.path === '/upload' || l.path === '/slow/500'));
  assert.ok(access.some((l) => l.status === 499), 'the abandoned exchanges are logged as 499');
});
