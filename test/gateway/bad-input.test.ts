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

test('an HTTP major version other than 1 → 505 and close (issue 15: HTTP/2.0 was a 500)', async () => {
  await refused('HTTP/2.0', `GET / HTTP/2.0\r\n${H}\r\n`, 505);
  await refused('HTTP/0.9', `GET / HTTP/0.9\r\n${H}\r\n`, 505);
});

test('more header fields than the limit (101) → 400 and close, never truncated (issue 15: a late Content-Length was dropped)', async () => {
  const fields = (count: number) => Array.from({ length: count }, (_, i) => `X-F-${i}: ${i}\r\n`).join('');
  await refused('102 fields', `GET / HTTP/1.1\r\n${H}${fields(101)}\r\n`, 400);
  await refused('Content-Length as field 1,002', `POST / HTTP/1.1\r\n${H}${fields(1_000)}Content-Length: 5\r\n\r\nhello`, 400);
  const ok = await rawRequest(port, `GET /fields HTTP/1.1\r\n${H}${fields(100)}Connection: close\r\n\r\n`);
  assert.equal(ok.status, 400, '101 fields with Connection: close is 102: refused too');
  const atLimit = await rawRequest(port, `GET /fields HTTP/1.1\r\n${H}${fields(98)}Connection: close\r\n\r\n`);
  assert.equal(atLimit.status, 200, '100 fields + Host pass');
});

test('request trailers never become part of the next request on the connection (issue 15 item 3)', async () => {
  const trailers = 'X-Injected: 1\r\nAuthorization: Bearer attacker\r\n';
  const result = await rawRequest(port, `POST /c/G16 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n${trailers}\r\nGET /c/G16-next HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  const echoes = [...result.text.matchAll(/\{"method".*?"server":"a"\}/g)].map((m) => JSON.parse(m[0]) as { url: string; headers: Record<string, string> });
  assert.deepEqual(echoes.map((echo) => echo.url), ['/c/G16', '/c/G16-next']);
  for (const echo of echoes) {
    assert.equal(echo.headers['x-injected'], undefined, `${echo.url}: a trailer is never forwarded as a header`);
    assert.equal(echo.headers.authorization, undefined);
  }
});

test('a valid request followed by more bytes is answered: after Connection: close, HTTP/1.0, or before a malformed request (issue 15 item 4)', async () => {
  const afterClose = await rawRequest(port, `GET /first HTTP/1.1\r\n${H}Connection: close\r\n\r\nGET /second HTTP/1.1\r\n${H}\r\n`);
  assert.equal(afterClose.status, 200);
  assert.equal(afterClose.text.split('HTTP/1.1 ').length, 2, 'one answer, then close');
  assert.ok(afterClose.closed);
  const old = await rawRequest(port, `GET /old HTTP/1.0\r\n${H}\r\nGET /second HTTP/1.1\r\n${H}\r\n`);
  assert.equal(old.status, 200);
  const before = upstream.requests;
  const malformed = await rawRequest(port, `GET /valid HTTP/1.1\r\n${H}\r\nGET /bad HTTP/1.1\r\n${H}X-Bad : a\r\n\r\n`);
  assert.deepEqual([...malformed.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]), ['200', '400']);
  assert.match(malformed.text, /"url":"\/valid"/);
  assert.ok(malformed.closed);
  assert.equal(upstream.requests, before + 1, 'only the valid request reached the upstream');
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
