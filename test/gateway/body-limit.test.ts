/**
 * `limits.max_body_size` and a route's `max_body_size`: a body declared too large is refused with 413
 * before anything reaches the upstream; a chunked body that grows past the limit is cut off with 413;
 * bodies within the limit pass whole. Real sockets, a real upstream.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { parseGatewayConfig } from '../../src/gateway/index.js';
import { isGatehouseError } from '../../src/shared/errors.js';
import { startInProcess } from './support/in-process.js';
import { rawRequest } from './support/raw-http.js';
import { startUpstream, type Echo } from './support/upstream.js';

const app = await startUpstream('app');
after(() => app.close());

const gw = await startInProcess({
  limits: { max_body_size: '1k' },
  frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', routes: [{ path_prefix: '/big', backend: 'app', max_body_size: 2048 }] } },
  backends: { app: { servers: { a: { address: app.address } } } },
});
after(() => gw.close());

function post(path: string, bytes: number) {
  return request(`${gw.url}${path}`, { method: 'POST', body: Buffer.alloc(bytes, 0x61) });
}

test('a Content-Length over the limit: 413 at once, connection closed, nothing sent upstream', async () => {
  const before = app.requests;
  const refused = await post('/upload', 1025);
  assert.equal(refused.statusCode, 413);
  assert.equal(await refused.body.text(), 'Payload Too Large: the request body may be at most 1024 bytes\n');
  assert.equal(refused.headers.connection, 'close');
  assert.equal(app.requests, before, 'the upstream saw nothing');
  const line = gw.logs.find((l) => l.status === 413 && l.path === '/upload');
  assert.equal(line?.error, 'body too large');
  // answered from the head alone, without waiting for (or reading) the body
  const early = await rawRequest(gw.port, 'POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5000000\r\n\r\n', { waitMs: 1_000 });
  assert.equal(early.status, 413, early.text);
  assert.equal(early.closed, true);
  // at the limit, the body passes whole
  const ok = await post('/upload', 1024);
  assert.equal(ok.statusCode, 200);
  assert.equal(((await ok.body.json()) as Echo).bytes, 1024);
});

test("a route's max_body_size overrides the global one", async () => {
  const ok = await post('/big/upload', 2048);
  assert.equal(ok.statusCode, 200);
  assert.equal(((await ok.body.json()) as Echo).bytes, 2048);
  const refused = await post('/big/upload', 2049);
  assert.equal(refused.statusCode, 413);
  assert.match(await refused.body.text(), /at most 2048 bytes/);
});

test('a chunked body growing past the limit is cut off with 413; the gateway keeps serving', async () => {
  const chunk = (n: number) => `${n.toString(16)}\r\n${'b'.repeat(n)}\r\n`;
  const head = `POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n`;
  const cut = await rawRequest(gw.port, [head, chunk(600), chunk(600), chunk(600), '0\r\n\r\n'], { gapMs: 30, waitMs: 1_000 });
  assert.equal(cut.status, 413, cut.text);
  assert.match(cut.text, /Payload Too Large/);
  assert.equal(cut.closed, true, 'the connection is closed: the rest of the body is never read');
  // within the limit, chunked passes
  const small = await rawRequest(gw.port, [head, chunk(500), chunk(500), '0\r\n\r\n'], { gapMs: 10, waitMs: 500 });
  assert.equal(small.status, 200, small.text);
  assert.match(small.text, /"bytes":1000/);
  assert.equal((await request(`${gw.url}/after`)).statusCode, 200);
});

test('sizes: integers or k/m/g (binary); anything else is refused with the key path', () => {
  const parse = (size: unknown) => parseGatewayConfig({ limits: { max_body_size: size }, frontends: { web: { bind: '127.0.0.1:0', default_backend: 'a' } }, backends: { a: { servers: { s: { address: '127.0.0.1:9' } } } } }, '/tmp').limits.max_body_size;
  assert.equal(parse(1000), 1000);
  assert.equal(parse('512k'), 512 * 1024);
  assert.equal(parse('10m'), 10 * 1024 * 1024);
  assert.equal(parse('10MiB'), 10 * 1024 * 1024);
  assert.equal(parse('1g'), 1024 ** 3);
  assert.equal(parse(undefined), undefined, 'no limit by default');
  for (const bad of ['lots', '-1', '10 tb', 1.5]) {
    try {
      parse(bad);
      assert.fail(`${String(bad)} was accepted`);
    } catch (error) {
      assert.ok(isGatehouseError(error, 'ERR_CONFIG_INVALID'), String(error));
      assert.match(error.message, /limits\.max_body_size: expected a size/);
    }
  }
});
