/**
 * Regression (issue 15, item 4): a valid request was answered 400 and never handed on when more bytes
 * followed it in the same read, after `Connection: close`, after an HTTP/1.0 request, or with a malformed
 * request pipelined behind it (llhttp refuses bytes after a closing request, and the refusal dropped the
 * answer in preparation). HAProxy, nginx and node:http answer the first request. Now bytes after a request
 * that ends the connection are discarded, and a refusal goes out after the answers before it, in order.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { GET, answers, recorder, stop, overEach } from './raw-server.js';

overEach('a request with Connection: close, or HTTP/1.0, is answered even when more bytes follow it; they are discarded', async ({ serve, exchange }) => {
  const { seen, handler } = recorder(30);
  const { server, port, errors } = await serve(handler);
  try {
    for (const first of [GET('/close', 'Connection: close\r\n'), 'GET /old HTTP/1.0\r\nHost: t\r\n\r\n', 'POST /close-body HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc']) {
      for (const after of [GET('/next'), 'garbage that is not HTTP\r\n\r\n']) {
        seen.length = 0;
        const { text, closed } = await exchange(port, [first + after]);
        const parts = answers(text);
        assert.equal(parts.length, 1, text);
        assert.match(parts[0] as string, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n/);
        assert.ok(closed, 'the connection closes after the answer');
        assert.equal(seen.length, 1, 'only the first request reaches the handler');
      }
    }
    // and the discarded bytes may keep coming while the answer is prepared
    seen.length = 0;
    const trickled = await exchange(port, [GET('/close', 'Connection: close\r\n'), 5, GET('/more'), 5, 'x'.repeat(100_000)]);
    assert.match(trickled.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*GET \/close$/);
    assert.equal(seen.length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await stop(server);
  }
});

overEach('a malformed request pipelined behind valid ones: the valid ones are answered first, in order, then 400 and close', async ({ serve, exchange }) => {
  const { seen, handler } = recorder(30);
  const { server, port, errors } = await serve(handler);
  try {
    const malformed = ['GET /bad HTTP/1.1\r\nHost: t\r\nX-Bad : space\r\n\r\n', 'POST /bad HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 'NOT HTTP AT ALL\r\n\r\n'];
    for (const bad of malformed) {
      seen.length = 0;
      errors.length = 0;
      const { text, closed } = await exchange(port, [GET('/a') + GET('/b') + bad + GET('/after')]);
      const parts = answers(text);
      assert.equal(parts.length, 3, text);
      assert.match(parts[0] as string, /^HTTP\/1\.1 200 [\s\S]*GET \/a$/);
      assert.match(parts[1] as string, /^HTTP\/1\.1 200 [\s\S]*GET \/b$/);
      assert.match(parts[2] as string, /^HTTP\/1\.1 400 Refused\r\n/);
      assert.ok(closed);
      assert.deepEqual(seen.map((req) => req.url), ['/a', '/b'], 'nothing after the malformed request is read');
      assert.equal(errors.length, 1);
    }
  } finally {
    await stop(server);
  }
});

overEach('a body found malformed behind an answered request: the earlier answer goes out, the malformed one loses its own', async ({ serve, exchange }) => {
  const { seen, handler } = recorder(30);
  const { server, port } = await serve(handler);
  try {
    const { text } = await exchange(port, [GET('/a') + 'POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']);
    const parts = answers(text);
    assert.equal(parts.length, 2, text);
    assert.match(parts[0] as string, /GET \/a$/);
    assert.match(parts[1] as string, /^HTTP\/1\.1 400 /);
    assert.equal(seen.length, 2, 'the chunked request was handed on (its head was fine) before its body turned out malformed');
    assert.equal((seen[1] as (typeof seen)[0]).destroyed, true);
  } finally {
    await stop(server);
  }
});

overEach('a malformed request found while parsing bytes held by a pipelining flood: answers, 400, and the server side closes too', async ({ serve, exchange }) => {
  const { handler } = recorder(5);
  let serverSocket: Socket | undefined;
  const { server, port, errors } = await serve(handler, (s) => s.on('connection', (socket: Socket) => (serverSocket = socket)));
  try {
    const { text, closed } = await exchange(port, [GET('/x').repeat(40) + 'GET /bad HTTP/1.1\r\nHost: t\r\nX-Bad : a\r\n\r\n'], 500);
    assert.ok(closed);
    assert.equal(answers(text).length, 41, 'forty answers, then the refusal');
    assert.deepEqual(errors, ['HPE_INVALID_HEADER_TOKEN']);
    // the server's socket must not stay half-open, unread, after the client has gone
    const socket = serverSocket as Socket;
    if (!socket.destroyed) await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server side of the connection never closed')), 2_000);
      socket.once('close', () => resolve(clearTimeout(timer)));
    });
  } finally {
    await stop(server);
  }
});
