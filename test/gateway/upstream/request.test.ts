/**
 * The request side of the upstream client: header validation (nothing written on CR/LF/NUL), framing
 * of bodies (content-length: 0, chunked for unknown length, exact Content-Length), the Host header, the
 * head waiting for the body's first byte, and an early response (413) before the body was sent.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { Collector, delay, echoPath, get, makePool, rawServer, send, until } from './support.js';

async function raw(t: TestContext, respond = echoPath) {
  const server = await rawServer(respond);
  const pool = makePool(server.port);
  t.after(async () => { await server.close(); await pool.close(); });
  return { server, pool };
}

interface Received { method: string; url: string; headers: IncomingMessage['headers']; rawHeaders: string[]; body: Buffer }

/** A node:http server that records each request with its whole body and answers 200 "ok". */
async function httpServer(t: TestContext) {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-length': '2' }).end('ok');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = makePool((server.address() as AddressInfo).port);
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.close();
  });
  return { received, pool, connections: () => connections };
}

for (const [what, bad] of [['CR', 'a\rb'], ['LF', 'a\nX-Injected: 1'], ['NUL', 'a\0b'], ['CRLF', 'a\r\n\r\nGET /smuggled HTTP/1.1']] as const) {
  test(`a header value containing ${what} → ERR_UPSTREAM_BAD_REQUEST, nothing written`, async (t) => {
    const { server, pool } = await raw(t);
    const a = await send(pool, get('/', ['x-ok', 'fine', 'x-bad', bad]));
    assert.equal(a.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
    assert.equal(a.endings, 1);
    const b = await send(pool, get('/', [`x-bad${bad}`, 'v']));
    assert.equal(b.error?.code, 'ERR_UPSTREAM_BAD_REQUEST', 'in a header name too');
    await delay(20);
    assert.equal(server.connections(), 0, 'no connection was even opened');
    assert.equal(pool.stats.open, 0);
  });
}

test('two Content-Length headers, or a non-decimal one, → ERR_UPSTREAM_BAD_REQUEST, nothing written', async (t) => {
  const { server, pool } = await raw(t);
  const two = await send(pool, { method: 'POST', path: '/', headers: ['content-length', '3', 'Content-Length', '3'], body: Readable.from([Buffer.from('abc')]) });
  assert.equal(two.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
  const signed = await send(pool, { method: 'POST', path: '/', headers: ['content-length', '+3'], body: Readable.from([Buffer.from('abc')]) });
  assert.equal(signed.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
  await delay(20);
  assert.equal(server.connections(), 0);
});

test('a request target containing CR/LF or a space is refused, not written', async (t) => {
  const { server, pool } = await raw(t);
  const a = await send(pool, get('/a HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /b'));
  assert.equal(a.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
  const b = await send(pool, get('/a b'));
  assert.equal(b.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
  assert.equal(server.connections(), 0);
});

test('POST/PUT/PATCH without a body send content-length: 0; GET/DELETE send no framing header', async (t) => {
  const { server, pool } = await raw(t);
  for (const method of ['POST', 'PUT', 'PATCH', 'GET', 'DELETE']) {
    const a = await send(pool, { method, path: `/${method}`, headers: [], body: null });
    assert.equal(a.status, 200);
  }
  const heads = server.requests.map((r) => r.head.toLowerCase());
  for (const head of heads.slice(0, 3)) {
    assert.equal(head.match(/\r\ncontent-length: 0\r\n/g)?.length, 1, head);
    assert.ok(!head.includes('transfer-encoding'));
  }
  for (const head of heads.slice(3)) assert.ok(!head.includes('content-length') && !head.includes('transfer-encoding'), head);
  // an explicit content-length: 0 is not doubled
  await send(pool, { method: 'POST', path: '/explicit', headers: ['Content-Length', '0'], body: null });
  assert.equal(server.requests[5]!.head.toLowerCase().match(/content-length/g)?.length, 1);
});

test('a request without a Host header gets the pool hostHeader; one with a Host keeps exactly it', async (t) => {
  const { server, pool } = await raw(t);
  await send(pool, get('/no-host', ['accept', '*/*']));
  await send(pool, get('/host', ['Host', 'client.example']));
  assert.equal(server.requests[0]!.head, 'GET /no-host HTTP/1.1\r\naccept: */*\r\nhost: upstream.test\r\n\r\n');
  assert.equal(server.requests[1]!.head, 'GET /host HTTP/1.1\r\nHost: client.example\r\n\r\n');
});

test('a body Readable without content-length is sent chunked; the server receives the exact bytes', async (t) => {
  const { received, pool } = await httpServer(t);
  const pieces = [Buffer.from('first\r\n'), Buffer.alloc(0), Buffer.from('0\r\n\r\n'), Buffer.from([0, 1, 2, 255, 254, 13, 10]), Buffer.alloc(70_000, 0x61)];
  const a = await send(pool, { method: 'POST', path: '/chunked', headers: ['content-type', 'application/octet-stream'], body: Readable.from(pieces) });
  assert.deepEqual([a.status, a.body, a.error], [200, 'ok', undefined]);
  assert.equal(received.length, 1);
  assert.equal(received[0]!.headers['transfer-encoding'], 'chunked');
  assert.equal(received[0]!.headers['content-length'], undefined);
  assert.ok(received[0]!.body.equals(Buffer.concat(pieces)));
  // and the connection carries the next request
  const b = await send(pool, { method: 'POST', path: '/again', headers: [], body: Readable.from([Buffer.from('x')]) });
  assert.equal(b.status, 200);
  assert.equal(received[1]!.body.toString(), 'x');
});

test('a body that ends without any data is sent as an empty chunked body', async (t) => {
  const { received, pool } = await httpServer(t);
  const a = await send(pool, { method: 'POST', path: '/empty', headers: [], body: Readable.from([]) });
  assert.equal(a.status, 200);
  assert.equal(received[0]!.body.length, 0);
});

test('a Content-Length body is sent with its length and exact bytes', async (t) => {
  const { received, pool, connections } = await httpServer(t);
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  const a = await send(pool, { method: 'PUT', path: '/cl', headers: ['Content-Length', String(data.length)], body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]) });
  assert.equal(a.status, 200);
  assert.equal(received[0]!.headers['content-length'], String(data.length));
  assert.equal(received[0]!.headers['transfer-encoding'], undefined);
  assert.ok(received[0]!.body.equals(data));
  await send(pool, get('/next'));
  assert.equal(connections(), 1);
});

test('a Content-Length body shorter than declared → ERR_UPSTREAM_BAD_REQUEST, connection closed', async (t) => {
  const { server, pool } = await raw(t, () => undefined);
  const a = await send(pool, { method: 'POST', path: '/short', headers: ['content-length', '10'], body: Readable.from([Buffer.from('abc')]) });
  assert.equal(a.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
  assert.equal(a.endings, 1);
  await server.waitClosed(0);
  assert.equal(pool.stats.open, 0);
});

test('a Content-Length body longer than declared → ERR_UPSTREAM_BAD_REQUEST, connection closed, no byte past the length sent', async (t) => {
  const { server, pool } = await raw(t, () => undefined);
  const body = new PassThrough();
  const h = new Collector();
  pool.dispatch({ method: 'POST', path: '/long', headers: ['content-length', '5'], body }, h);
  body.write('abc');
  await server.waitRequests(1);
  body.write('defgh');
  await h.done;
  assert.equal(h.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
  await server.waitClosed(0);
  const bytes = server.received[0]!;
  assert.ok(bytes.endsWith('\r\n\r\nabc'), JSON.stringify(bytes));
  assert.ok(!bytes.includes('de'));
  assert.equal(pool.stats.open, 0);
});

test('a single body chunk longer than its Content-Length: nothing at all reaches the server', async (t) => {
  const { server, pool } = await raw(t, (r) => (r.head.startsWith('GET') ? echoPath(r) : undefined));
  await send(pool, get('/warm')); // a kept-alive, connected socket: writes reach the server at once
  const before = server.received[0]!.length;
  const a = await send(pool, { method: 'POST', path: '/long', headers: ['content-length', '2'], body: Readable.from([Buffer.from('abcdef')]) });
  assert.equal(a.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
  await server.waitClosed(0);
  assert.equal(server.received[0]!.slice(before), '', 'the server received part of the refused request');
});

test('the request head is not written before the body has its first byte', async (t) => {
  const { server, pool } = await raw(t);
  const body = new PassThrough();
  const h = new Collector();
  pool.dispatch({ method: 'POST', path: '/wait', headers: [], body }, h);
  await until(() => server.connections() === 1, 1000, 'the connection');
  await delay(50);
  assert.equal(server.received[0], '', 'no byte before the body has one');
  body.write('x');
  await server.waitRequests(1);
  await until(() => server.received[0]!.endsWith('1\r\nx\r\n'), 1000, 'the first chunk');
  assert.match(server.received[0]!, /^POST \/wait HTTP\/1\.1\r\nhost: upstream\.test\r\ntransfer-encoding: chunked\r\n\r\n1\r\nx\r\n$/);
  body.end();
  await until(() => server.received[0]!.endsWith('0\r\n\r\n'), 1000, 'the last chunk');
  await h.done;
  assert.equal(h.status, 200);
});

test('an early response (413 before the body was read): handler gets 413 and onComplete; the connection is not reused', async (t) => {
  const { server, pool } = await raw(t, (r) => {
    if (r.head.startsWith('POST')) r.socket.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo big!');
    else echoPath(r);
  });
  const body = new PassThrough();
  const h = new Collector();
  pool.dispatch({ method: 'POST', path: '/upload', headers: ['content-length', '1000000'], body }, h);
  body.write(Buffer.alloc(1000, 1));
  await h.done;
  assert.deepEqual([h.status, h.body, h.completed, h.endings], [413, 'too big!', true, 1]);
  await server.waitClosed(0);
  body.write(Buffer.alloc(1000, 2)); // the rest of the client's body goes nowhere, without errors
  const next = await send(pool, get('/next'));
  assert.equal(next.body, '/next');
  assert.equal(server.connections(), 2);
  assert.equal(h.endings, 1);
});
