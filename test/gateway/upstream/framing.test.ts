/**
 * Response framing and desync defences of the upstream client, against a raw server writing exact
 * bytes: Content-Length, chunked, read-until-close, HEAD, 204/304, 1xx, many headers, header case;
 * extra or unsolicited bytes, malformed responses, 101 and oversized heads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Collector, delay, echoPath, get, makePool, rawServer, send, until, type RawRequest } from './support.js';

const path = (r: RawRequest) => r.head.split(' ')[1] ?? '';

async function serve(t: import('node:test').TestContext, respond: (r: RawRequest) => void, options = {}) {
  const server = await rawServer(respond);
  const pool = makePool(server.port, options);
  t.after(async () => { await server.close(); await pool.close(); });
  return { server, pool };
}

test('a Content-Length body is delivered whole, and the connection is reused', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world'));
  const a = await send(pool, get());
  assert.deepEqual([a.status, a.body, a.completed], [200, 'hello world', true]);
  assert.deepEqual(a.events.filter((e) => e !== 'data'), ['connect', 'headers:200', 'complete']);
  await send(pool, get());
  assert.equal(server.connections(), 1);
});

test('a chunked body is delivered de-chunked, even when the chunks arrive in pieces', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    const s = r.socket;
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
    setTimeout(() => s.write('lo\r\n6;ext=1\r\n world\r\n'), 5);
    setTimeout(() => s.write('0\r\nX-Trailer: t\r\n\r\n'), 10);
  });
  const a = await send(pool, get());
  assert.deepEqual([a.status, a.body, a.completed], [200, 'hello world', true]);
  const b = await send(pool, get());
  assert.equal(b.body, 'hello world');
  assert.equal(server.connections(), 1);
});

test('a body delimited by the end of the connection is delivered, then the connection is not reused', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    r.socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ');
    setTimeout(() => r.socket.end('close'), 10);
  });
  const a = await send(pool, get());
  assert.deepEqual([a.status, a.body, a.completed, a.error], [200, 'until close', true, undefined]);
  const b = await send(pool, get());
  assert.equal(b.body, 'until close');
  assert.equal(server.connections(), 2);
});

test('a HEAD response with Content-Length but no body; the next request on the same connection works', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (r.head.startsWith('HEAD ')) r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
    else echoPath(r);
  });
  const head = await send(pool, { method: 'HEAD', path: '/h', headers: [], body: null });
  assert.deepEqual([head.status, head.body, head.completed], [200, '', true]);
  assert.deepEqual(head.headers, ['Content-Length', '1000']);
  const next = await send(pool, get('/next'));
  assert.deepEqual([next.status, next.body], [200, '/next']);
  assert.equal(server.connections(), 1);
});

test('204 and 304 (with a Content-Length) have no body; the connection is reused', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (path(r) === '/204') r.socket.write('HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n');
    else if (path(r) === '/304') r.socket.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 500\r\nETag: "x"\r\n\r\n');
    else echoPath(r);
  });
  const a = await send(pool, get('/204'));
  assert.deepEqual([a.status, a.body, a.completed], [204, '', true]);
  const b = await send(pool, get('/304'));
  assert.deepEqual([b.status, b.body, b.completed], [304, '', true]);
  const c = await send(pool, get('/after'));
  assert.equal(c.body, '/after');
  assert.equal(server.connections(), 1);
});

test('100 Continue and 103 Early Hints before the final response: the handler sees only the final one', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    r.socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n');
    setTimeout(() => r.socket.write('HTTP/1.1 201 Created\r\nX-Final: yes\r\nContent-Length: 4\r\n\r\ndone'), 5);
  });
  const a = await send(pool, get());
  assert.deepEqual([a.status, a.body, a.completed], [201, 'done', true]);
  assert.deepEqual(a.headers, ['X-Final', 'yes', 'Content-Length', '4'], 'no header of the 1xx responses leaks into the final one');
  assert.deepEqual(a.events.filter((e) => e.startsWith('headers')), ['headers:201']);
  await send(pool, get());
  assert.equal(server.connections(), 1);
});

test('more than 32 response headers are all delivered, in order, names as spelled', async (t) => {
  const names = Array.from({ length: 70 }, (_, i) => (i % 2 === 0 ? `X-Header-${i}` : `x-LOWER-upper-${i}`));
  const { pool } = await serve(t, (r) => {
    // written in small pieces so the parser's header batches straddle reads
    const head = `HTTP/1.1 200 OK\r\n${names.map((n, i) => `${n}: value-${i}\r\n`).join('')}Content-Length: 2\r\n\r\nok`;
    for (let i = 0; i < head.length; i += 300) r.socket.write(head.slice(i, i + 300));
  });
  const a = await send(pool, get());
  const expected = names.flatMap((n, i) => [n, `value-${i}`]).concat(['Content-Length', '2']);
  assert.deepEqual(a.headers, expected);
  assert.equal(a.body, 'ok');
  // twice: the second response's headers do not carry leftovers of the first
  const b = await send(pool, get());
  assert.deepEqual(b.headers, expected);
});

test('header names keep the case the upstream used', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\ncontent-TYPE: text/plain\r\nX-MiXeD: a\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n'));
  const a = await send(pool, get());
  assert.deepEqual(a.headers, ['content-TYPE', 'text/plain', 'X-MiXeD', 'a', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '0']);
});

// ---- desync defences ----

test('extra bytes after a complete response: never delivered, and the connection is not reused', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (r.connection === 0) r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil');
    else echoPath(r);
  });
  const a = await send(pool, get('/a'));
  assert.deepEqual([a.status, a.body, a.endings], [200, 'ok', 1]);
  await server.waitClosed(0);
  const b = await send(pool, get('/b'));
  assert.deepEqual([b.status, b.body], [200, '/b']);
  assert.equal(server.connections(), 2);
  assert.deepEqual(server.requests.map((r) => r.connection), [0, 1]);
});

test('extra non-HTTP bytes after a complete response also retire the connection', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (r.connection === 0) r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\x00garbage');
    else echoPath(r);
  });
  const a = await send(pool, get('/a'));
  assert.deepEqual([a.status, a.body, a.endings], [200, 'ok', 1]);
  await server.waitClosed(0);
  const b = await send(pool, get('/b'));
  assert.equal(b.body, '/b');
  assert.equal(server.connections(), 2);
});

test('bytes from the server while the connection is idle: the connection is closed, the next request uses a new one', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    echoPath(r);
    if (r.connection === 0) setTimeout(() => r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale'), 20);
  });
  await send(pool, get('/a'));
  await server.waitClosed(0);
  await until(() => pool.stats.open === 0, 1000, 'the pool to drop the connection');
  const b = await send(pool, get('/b'));
  assert.deepEqual([b.status, b.body], [200, '/b']);
  assert.equal(server.connections(), 2);
});

test('stray bytes arriving while a reused connection waits for the request body are not taken as its response', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (r.connection === 0 && path(r) === '/a') {
      echoPath(r);
      // a late second response (the server is out of step), sent after the client went idle
      setTimeout(() => r.socket.write('HTTP/1.1 299 Stray\r\nContent-Length: 5\r\n\r\nstray'), 30);
    } else r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood');
  });
  await send(pool, get('/a'));
  const body = new PassThrough();
  const h = new Collector();
  pool.dispatch({ method: 'POST', path: '/upload', headers: ['content-length', '3'], body }, h);
  await delay(80); // the stray response arrives while the request head waits for the body
  body.end('abc');
  await Promise.race([h.done, delay(1000)]);
  assert.notEqual(h.status, 299, 'the stray response was delivered as the answer to a request not yet sent');
  assert.ok(!h.body.includes('stray'));
});

const bad: Array<[string, string]> = [
  ['a bad status line', 'HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n'],
  ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
  ['Content-Length and Transfer-Encoding both', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
  ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde'],
  ['an obs-fold header line', 'HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 0\r\n\r\n'],
  ['a bare LF line ending', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n'],
  ['a space before the header colon', 'HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n'],
  ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
  ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
];
for (const [what, response] of bad) {
  test(`an invalid response (${what}) → ERR_UPSTREAM_BAD_RESPONSE, connection closed`, async (t) => {
    const { server, pool } = await serve(t, (r) => r.socket.write(response));
    const a = await send(pool, get());
    assert.equal(a.error?.code, 'ERR_UPSTREAM_BAD_RESPONSE', `got ${a.events.join(',')}`);
    assert.equal(a.endings, 1);
    assert.ok(!a.events.includes('complete'));
    await server.waitClosed(0);
  });
}

test('a 101 Switching Protocols to a normal request → ERR_UPSTREAM_BAD_RESPONSE', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello'));
  const a = await send(pool, get());
  assert.equal(a.error?.code, 'ERR_UPSTREAM_BAD_RESPONSE');
  assert.deepEqual(a.events, ['connect', 'error:ERR_UPSTREAM_BAD_RESPONSE']);
  await server.waitClosed(0);
});

test('a response head larger than maxHeaderSize → ERR_UPSTREAM_BAD_RESPONSE', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(3000)}\r\nContent-Length: 0\r\n\r\n`), { maxHeaderSize: 1024 });
  const a = await send(pool, get());
  assert.equal(a.error?.code, 'ERR_UPSTREAM_BAD_RESPONSE');
  assert.match(a.error?.message ?? '', /HEADER_OVERFLOW/);
  assert.ok(!a.events.some((e) => e.startsWith('headers')));
  await server.waitClosed(0);
});

test('many small headers adding up beyond maxHeaderSize → ERR_UPSTREAM_BAD_RESPONSE', async (t) => {
  const headers = Array.from({ length: 100 }, (_, i) => `X-H${i}: ${'v'.repeat(20)}\r\n`).join('');
  const { pool } = await serve(t, (r) => r.socket.write(`HTTP/1.1 200 OK\r\n${headers}Content-Length: 0\r\n\r\n`), { maxHeaderSize: 1024 });
  const a = await send(pool, get());
  assert.equal(a.error?.code, 'ERR_UPSTREAM_BAD_RESPONSE');
});

test('a head just under maxHeaderSize is accepted', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(800)}\r\nContent-Length: 0\r\n\r\n`), { maxHeaderSize: 1024 });
  const a = await send(pool, get());
  assert.deepEqual([a.status, a.completed], [200, true]);
});
