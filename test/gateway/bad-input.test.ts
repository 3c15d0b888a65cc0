/**
 * Malformed and hostile HTTP/1.1 input, sent over raw sockets to the gateway running as a real process
 * (jwt-attacks.md section I). Each case must be refused before any upstream sees it, with the
 * connection closed, and the gateway must keep serving afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from './support/raw-http.js';
import { startReadyGateway, type GatewayProcess } from './support/gateway-process.js';
import { startUpstream, type TestUpstream } from './support/upstream.js';

let upstream: TestUpstream;
let gateway: GatewayProcess;
let port: number;
/** The same frontend on node:http (`server: node`): its parser accepts more, the admission pipeline refuses the same. */
let nodePort: number;

before(async () => {
  upstream = await startUpstream('a');
  gateway = await startReadyGateway(`timeouts: { http_request: 600ms }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
  node: { bind: "127.0.0.1:0", default_backend: app, server: node }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`);
  port = gateway.port('web');
  await gateway.waitForLine((l) => l.frontend === 'node' && typeof l.port === 'number');
  nodePort = gateway.port('node');
});

/** Both frontends: the own server and `server: node`. */
function servers(): Array<[string, number]> {
  return [['own server', port], ['server: node', nodePort]];
}

after(async () => {
  await gateway.stop();
  await upstream.close();
});

async function refused(name: string, raw: string | string[], status: number | readonly number[], options?: { gapMs?: number; waitMs?: number; port?: number }) {
  const before = upstream.requests;
  const result = await rawRequest(options?.port ?? port, raw, options);
  const allowed = typeof status === 'number' ? [status] : status;
  assert.ok(allowed.includes(result.status), `${name}: ${result.status}, not ${allowed.join(' or ')}: got ${JSON.stringify(result.text.slice(0, 80))}`);
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

test('obfuscated Transfer-Encoding and obs-fold → 400 (501 for a coding other than chunked) and close', async () => {
  await refused('xchunked', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`, 501);
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

test('an HTTP major version other than 1 → 505 and close, on both servers (issue 15: HTTP/2.0 was a 500; server: node forwarded HTTP/0.9)', async () => {
  for (const [server, p] of servers()) {
    await refused(`${server}: HTTP/2.0`, `GET / HTTP/2.0\r\n${H}\r\n`, 505, { port: p });
    await refused(`${server}: HTTP/0.9`, `GET / HTTP/0.9\r\n${H}\r\n`, 505, { port: p });
  }
  // a request line without a version (HTTP/0.9 style): HAProxy answers 400, nginx closes; never forwarded
  const before = upstream.requests;
  for (const [server, p] of servers()) {
    const result = await rawRequest(p, `GET /no-version\r\n${H}\r\n`);
    assert.ok(result.status === 505 || result.status === 400 || result.status === 0, `${server}: no version: ${result.text.slice(0, 40)}`);
    assert.ok(result.closed, `${server}: closed`);
  }
  assert.equal(upstream.requests, before, 'nothing reached the upstream');
});

test('more header fields than the limit (101) → 400 and close, never truncated, on both servers (issue 15: a late Content-Length was dropped)', async () => {
  const fields = (count: number) => Array.from({ length: count }, (_, i) => `X-F-${i}: ${i}\r\n`).join('');
  for (const [server, p] of servers()) {
    await refused(`${server}: 102 fields`, `GET / HTTP/1.1\r\n${H}${fields(101)}\r\n`, 400, { port: p });
    // node:http on Node 22+ refuses a head past its own field count with 431 before the gateway sees it
    await refused(`${server}: Content-Length as field 1,002`, `POST / HTTP/1.1\r\n${H}${fields(1_000)}Content-Length: 5\r\n\r\nhello`, server === 'server: node' ? [400, 431] : 400, { port: p });
    const ok = await rawRequest(p, `GET /fields HTTP/1.1\r\n${H}${fields(100)}Connection: close\r\n\r\n`);
    assert.equal(ok.status, 400, `${server}: 101 fields with Connection: close is 102: refused too`);
    const atLimit = await rawRequest(p, `GET /fields HTTP/1.1\r\n${H}${fields(98)}Connection: close\r\n\r\n`);
    assert.equal(atLimit.status, 200, `${server}: 100 fields + Host pass`);
  }
});

test('a Transfer-Encoding other than one chunked coding, or on HTTP/1.0, → 501/400 and close, nothing of it forwarded, on both servers', async () => {
  // each hides a request in its body, and another follows it: neither may reach the upstream
  const hidden = `0\r\n\r\nGET /hidden HTTP/1.1\r\n${H}\r\nGET /after HTTP/1.1\r\n${H}\r\n`;
  const cases: Array<[string, string, number]> = [
    ['identity, chunked', 'Transfer-Encoding: identity, chunked', 501],
    ['gzip, chunked', 'Transfer-Encoding: gzip, chunked', 501],
    [', chunked', 'Transfer-Encoding: , chunked', 400],
    ['two fields', 'Transfer-Encoding: identity\r\nTransfer-Encoding: chunked', 400],
    ['empty', 'Transfer-Encoding: ', 400],
  ];
  for (const [server, p] of servers()) {
    for (const [name, line, status] of cases) await refused(`${server}: ${name}`, `POST /te HTTP/1.1\r\n${H}${line}\r\n\r\n${hidden}`, status, { port: p, waitMs: 500 });
    await refused(`${server}: HTTP/1.0 chunked`, `POST /te HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n${hidden}`, 400, { port: p, waitMs: 500 });
    const chunked = await rawRequest(p, `POST /te HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
    assert.equal(chunked.status, 200, `${server}: one chunked coding passes`);
  }
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

test('a valid request followed by more bytes is answered: after Connection: close, HTTP/1.0, or before a malformed request, on both servers (issue 15 item 4; server: node answered 400 and lost the first answer)', async () => {
  for (const [server, p] of servers()) {
    const afterClose = await rawRequest(p, `GET /first HTTP/1.1\r\n${H}Connection: close\r\n\r\nGET /second HTTP/1.1\r\n${H}\r\n`);
    assert.equal(afterClose.status, 200, server);
    assert.equal(afterClose.text.split('HTTP/1.1 ').length, 2, `${server}: one answer, then close`);
    assert.ok(afterClose.closed);
    const old = await rawRequest(p, `GET /old HTTP/1.0\r\n${H}\r\nGET /second HTTP/1.1\r\n${H}\r\n`);
    assert.equal(old.status, 200, server);
    const before = upstream.requests;
    const malformed = await rawRequest(p, `GET /valid HTTP/1.1\r\n${H}\r\nGET /valid2 HTTP/1.1\r\n${H}\r\nGET /bad HTTP/1.1\r\n${H}X-Bad : a\r\n\r\n`);
    assert.deepEqual([...malformed.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]), ['200', '200', '400'], server);
    assert.match(malformed.text, /"url":"\/valid"[^]*"url":"\/valid2"/);
    assert.ok(malformed.closed);
    assert.equal(upstream.requests, before + 2, `${server}: only the valid requests reached the upstream`);
  }
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
