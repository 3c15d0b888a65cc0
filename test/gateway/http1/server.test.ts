/**
 * The gateway's HTTP/1.1 server on its own, over real sockets: framing (length, chunked, HEAD, 204,
 * HTTP/1.0), keep-alive and its timeout, pipelined responses in request order, Expect, the headers
 * timeout, half-closed clients, request bodies with backpressure, the upgrade hand-off (switchProtocols), refusals that
 * must not be written into a response, header checks, and adopting sockets accepted elsewhere (as a TLS
 * frontend's listener hands them over). The gateway-level suites (bad-input, proxy, websocket, reload,
 * timeouts…) run through it too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Http1Server, type Http1Request } from '../../../src/gateway/http1/index.js';
import { GET, exchange, serve, stop } from './raw-server.js';

test('a response with a length, one without (chunked), HEAD and 204 are framed as node:http frames them', async () => {
  const { server, port } = await serve((req, res) => {
    if (req.url === '/length') {
      res.writeHead(200, ['Content-Length', '5', 'X-Two', 'a', 'X-Two', 'b']);
      res.end('hello', 'latin1');
    } else if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('abc');
      res.write(Buffer.from('defgh'));
      res.end();
    } else if (req.url === '/empty') {
      res.writeHead(204, []);
      res.end('ignored');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('whole');
    }
  });
  try {
    const { text } = await exchange(port, [GET('/length') + GET('/chunked') + GET('/empty') + `HEAD /head HTTP/1.1\r\nHost: t\r\n\r\n` + GET('/implicit')]);
    const parts = text.split('HTTP/1.1 ').slice(1);
    assert.equal(parts.length, 5, text);
    assert.match(parts[0] as string, /^200 OK\r\nContent-Length: 5\r\nX-Two: a\r\nX-Two: b\r\nDate: .+\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhello$/);
    assert.match(parts[1] as string, /Transfer-Encoding: chunked\r\n[\s\S]*\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n$/);
    assert.match(parts[2] as string, /^204 No Content\r\n(?![\s\S]*Transfer-Encoding)[\s\S]*\r\n\r\n$/);
    assert.match(parts[3] as string, /^200 OK\r\n(?![\s\S]*Transfer-Encoding)[\s\S]*\r\n\r\n$/, 'HEAD: no body, no chunking');
    assert.match(parts[4] as string, /\r\nTransfer-Encoding: chunked\r\n[\s\S]*\r\n\r\n5\r\nwhole\r\n0\r\n\r\n$/, 'writeHead then end(): chunked, as node:http');
  } finally {
    await stop(server);
  }
});

test('end(body) without writeHead sends a Content-Length; HTTP/1.0 without a length is close-delimited', async () => {
  const { server, port } = await serve((req, res) => {
    if (req.url === '/auto') res.end('four');
    else {
      res.writeHead(200, []);
      res.write('streamed');
      res.end();
    }
  });
  try {
    const auto = await exchange(port, [GET('/auto')]);
    assert.match(auto.text, /\r\ncontent-length: 4\r\n[\s\S]*\r\n\r\nfour$/i);
    const old = await exchange(port, ['GET /old HTTP/1.0\r\nHost: t\r\n\r\n']);
    assert.ok(old.closed, 'the connection ends the body');
    assert.match(old.text, /\r\nConnection: close\r\n\r\nstreamed$/);
    const kept = await exchange(port, ['GET /auto HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n\r\n'], 200);
    assert.match(kept.text, /\r\nConnection: keep-alive\r\n/);
    assert.equal(kept.closed, false, 'HTTP/1.0 keep-alive with a length stays open');
  } finally {
    await stop(server);
  }
});

test('pipelined requests get their responses in request order, whatever order they finish in', async () => {
  const { server, port } = await serve((req, res) => {
    const delay = Number(new URL(req.url, 'http://t').searchParams.get('wait'));
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(`${req.url}:`);
      setTimeout(() => res.end('done'), 5);
    }, delay);
  });
  try {
    const { text } = await exchange(port, [GET('/a?wait=120') + GET('/b?wait=10') + GET('/c?wait=60')], 500);
    const bodies = [...text.matchAll(/\r\n\r\n[0-9a-f]+\r\n([^\r]+)\r\n4\r\ndone\r\n0\r\n\r\n/g)].map((m) => m[1]);
    assert.deepEqual(bodies, ['/a?wait=120:', '/b?wait=10:', '/c?wait=60:']);
  } finally {
    await stop(server);
  }
});

test('Connection: close from the client, or set by the handler, closes after the response', async () => {
  const { server, port } = await serve((req, res) => {
    if (req.url === '/handler-close') res.writeHead(403, { connection: 'close', 'content-length': 2 });
    else res.writeHead(200, { 'content-length': 2 });
    res.end('no');
  });
  try {
    const client = await exchange(port, [GET('/', 'Connection: close\r\n') + GET('/never')]);
    assert.ok(client.closed);
    assert.equal(client.text.split('HTTP/1.1').length, 2, 'the request after Connection: close is not answered');
    const handler = await exchange(port, [GET('/handler-close') + GET('/never')]);
    assert.ok(handler.closed);
    assert.equal(handler.text.split('HTTP/1.1').length, 2);
    assert.match(handler.text, /^HTTP\/1\.1 403 Forbidden\r\nconnection: close\r\n/);
  } finally {
    await stop(server);
  }
});

test('Expect: 100-continue gets 100 before the handler answers; another expectation gets 417', async () => {
  const { server, port } = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.end(`got ${Buffer.concat(chunks).toString()}`));
  });
  try {
    const cont = await exchange(port, [`POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n`, 100, 'abc']);
    assert.match(cont.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\ngot abc$/);
    const other = await exchange(port, [`POST / HTTP/1.1\r\nHost: t\r\nExpect: something\r\nContent-Length: 3\r\n\r\nabc`]);
    assert.match(other.text, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
  } finally {
    await stop(server);
  }
});

test('the headers timeout answers 408; an idle keep-alive connection closes after the keep-alive timeout', async () => {
  let requests = 0;
  const { server, port, errors } = await serve((_req, res) => {
    requests++;
    res.end('ok');
  }, (s) => {
    s.headersTimeout = 200;
    s.keepAliveTimeout = 300;
  });
  try {
    const slow = await exchange(port, ['GET / HTTP/1.1\r\n', 150, 'Host: t\r\n', 150, 'X-A: b\r\n', 150, '\r\n'], 1000);
    assert.match(slow.text, /^HTTP\/1\.1 408 /);
    assert.ok(slow.closed);
    assert.deepEqual(errors, ['ERR_HTTP_REQUEST_TIMEOUT']);
    assert.equal(requests, 0);
    const started = Date.now();
    const idle = await exchange(port, [GET('/')], 2000);
    const waited = Date.now() - started;
    assert.ok(idle.closed, 'closed by the server');
    assert.ok(waited >= 300 && waited < 1500, `closed after ${waited} ms, keep-alive timeout 300 ms`);
  } finally {
    await stop(server);
  }
});

test('a client that half-closes after its request still gets the answer', async () => {
  const { server, port } = await serve((_req, res) => setTimeout(() => res.end('late answer'), 100));
  try {
    const result = await exchange(port, [GET('/'), 'END'], 500);
    assert.match(result.text, /\r\n\r\nlate answer$/);
    assert.ok(result.closed);
  } finally {
    await stop(server);
  }
});

test('a request body streams with backpressure: reading stops while the handler does not read', async () => {
  let req: Http1Request | undefined;
  const { server, port } = await serve((request, res) => {
    req = request;
    request.pause();
    setTimeout(() => {
      let bytes = 0;
      request.on('data', (chunk: Buffer) => (bytes += chunk.length));
      request.on('end', () => res.end(String(bytes)));
      request.resume();
    }, 300);
  });
  try {
    const size = 8 * 1024 * 1024;
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 120);
    let sent = 0;
    let flowing = true;
    while (sent < size && flowing) {
      flowing = socket.write(chunk);
      sent += chunk.length;
    }
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(sent < size, 'the client had to wait');
    // the bound (docs/http1-server.md): the body stream's 16 KiB high-water mark plus the rest of one 64 KiB socket read,
    // on every Node (Node 22 raised the default high-water mark to 64 KiB: 98,304 bytes were held on Node 24)
    assert.ok(req !== undefined && req.readableLength <= 80 * 1024, `the server held ${req?.readableLength} bytes while its reader was paused`);
    while (sent < size) {
      const ok = socket.write(chunk);
      sent += chunk.length;
      if (!ok) await new Promise((r) => socket.once('drain', r));
    }
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => {
        text += d;
        if (text.endsWith(String(size))) resolve(text);
      });
    });
    assert.match(answer, new RegExp(`\\r\\n\\r\\n${size}$`));
    socket.destroy();
  } finally {
    await stop(server);
  }
});

test('an upgrade answered by switchProtocols hands over the socket with the bytes that came after the head', async () => {
  const { server, port } = await serve((req, res) => {
    assert.equal(req.upgrade, true);
    const { socket, head } = (res.switchProtocols as (headers: string[]) => { socket: Socket; head: Buffer })(['Upgrade', 'echo', 'Connection', 'Upgrade']);
    socket.write(`head=${head.toString()};url=${req.url};`);
    socket.on('data', (data: Buffer) => socket.write(`echo=${data.toString()};`));
    socket.on('end', () => socket.end()); // the server is half-open: the tunnel's owner closes its side
  });
  try {
    const result = await exchange(port, [GET('/up', 'Upgrade: echo\r\nConnection: Upgrade\r\n') + 'early', 100, 'later']);
    assert.match(result.text, /^HTTP\/1\.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhead=early;url=\/up;echo=later;$/);
  } finally {
    await stop(server);
  }
});

test('a body found malformed after the head: the answer in preparation is dropped and 400 goes out', async () => {
  let closed = 0;
  const { server, port, errors } = await serve((_req, res) => {
    res.on('close', () => closed++);
    setTimeout(() => res.end('must not be sent'), 300);
  });
  try {
    const result = await exchange(port, [`POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n`, 50, 'zz\r\n']);
    assert.match(result.text, /^HTTP\/1\.1 400 Refused\r\n/);
    assert.doesNotMatch(result.text, /must not be sent/);
    assert.equal(errors.length, 1);
    assert.equal(closed, 1, 'the response learnt that its client is gone');
  } finally {
    await stop(server);
  }
});

test('writeHead refuses a header Node would refuse, and the response can still answer', async () => {
  const { server, port } = await serve((_req, res) => {
    assert.throws(() => res.writeHead(200, ['X-Bad', 'a\r\nInjected: yes']), { code: 'ERR_INVALID_CHAR' });
    assert.throws(() => res.writeHead(200, ['Bad Name', 'a']), { code: 'ERR_INVALID_HTTP_TOKEN' });
    assert.throws(() => res.writeHead(42), { code: 'ERR_HTTP_INVALID_STATUS_CODE' });
    assert.equal(res.headersSent, false);
    res.writeHead(502, { 'content-length': 3 });
    res.end('bad');
  });
  try {
    const result = await exchange(port, [GET('/')]);
    assert.match(result.text, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    assert.doesNotMatch(result.text, /Injected/);
  } finally {
    await stop(server);
  }
});

test('closeIdleConnections closes idle and silent connections and leaves busy ones to finish', async () => {
  let finish: (() => void) | undefined;
  const { server, port } = await serve((req, res) => {
    if (req.url === '/slow') finish = () => res.end('finished');
    else res.end('quick');
  });
  try {
    const idle = exchange(port, [GET('/quick')], 1000);
    const silent = exchange(port, [], 1000);
    const busy = exchange(port, [GET('/slow')], 1000);
    await new Promise((r) => setTimeout(r, 150));
    server.closeIdleConnections();
    assert.ok((await idle).closed);
    assert.ok((await silent).closed);
    (finish as () => void)();
    const result = await busy;
    assert.match(result.text, /finished$/);
  } finally {
    await stop(server);
  }
});

test('a client that pipelines without reading answers is not read further: the server holds a bounded amount', async () => {
  const body = 'x'.repeat(64 * 1024);
  let held = 0;
  let serverSocket: Socket | undefined;
  const { server, port } = await serve((_req, res) => {
    res.writeHead(200, { 'content-length': body.length });
    res.end(body, 'latin1');
    held = Math.max(held, serverSocket?.writableLength ?? 0);
  });
  server.on('connection', (socket: Socket) => (serverSocket = socket));
  try {
    const count = 200;
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    socket.pause();
    socket.write(GET('/').repeat(count));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(held < 3 * 1024 * 1024, `the server held ${held} bytes of answers for a client that did not read`);
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.on('data', (data: Buffer) => {
        received += data.length;
        if (received >= count * body.length) resolve();
      });
      socket.resume();
    });
    assert.ok(received >= count * body.length, 'every answer arrives once the client reads');
    socket.destroy();
  } finally {
    await stop(server);
  }
});

test('closeIdleConnections leaves an answer that is still in the socket buffer to be delivered', async () => {
  const size = 8 * 1024 * 1024;
  let server: Http1Server | undefined;
  const started = await serve((_req, res) => {
    res.writeHead(200, { 'content-length': size });
    res.end(Buffer.alloc(size, 97));
    // the response is complete for the server; the client has not read it yet
    server?.closeIdleConnections();
    setTimeout(() => server?.closeIdleConnections(), 50);
  });
  server = started.server;
  try {
    const socket = connect({ port: started.port, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    socket.pause();
    socket.write(GET('/'));
    await new Promise((r) => setTimeout(r, 200));
    let received = 0;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let cut = false;
    const whole = new Promise<void>((resolve) => {
      socket.on('data', (data: Buffer) => {
        received += data.length;
        if (received > size) resolve();
      });
      socket.once('close', () => {
        cut = received <= size;
        resolve();
      });
    });
    socket.on('error', () => undefined);
    socket.resume();
    await whole;
    assert.ok(!cut && received > size, `the whole answer arrived (${received} bytes, body ${size})`);
    server.closeIdleConnections();
    await closed;
  } finally {
    await stop(started.server);
  }
});

test('a request without a body, or with an empty chunked one, ends for a reader that comes after the message', async () => {
  const { server, port } = await serve((req, res) => {
    setTimeout(() => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.end(`${req.method} ended after ${bytes} bytes`));
    }, 50);
  });
  try {
    const result = await exchange(port, [`POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n` + GET('/') + `PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc`]);
    assert.deepEqual(result.text.match(/\w+ ended after \d+ bytes/g), ['POST ended after 0 bytes', 'GET ended after 0 bytes', 'PUT ended after 3 bytes']);
  } finally {
    await stop(server);
  }
});

test('an adopting server serves sockets accepted elsewhere; close() answers the busy one with Connection: close and calls back once it has closed', async () => {
  const http = new Http1Server({ maxHeaderSize: 16 * 1024, adopt: true });
  assert.throws(() => http.listen({ port: 0 }, () => undefined), /does not listen/);
  let waiting: ((body: string) => void) | undefined;
  http.on('request', (_req, res) => (waiting = (body) => res.end(body)));
  const listener = createServer({ allowHalfOpen: true }, (socket) => http.accept(socket));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const socket = connect({ port: (listener.address() as AddressInfo).port, host: '127.0.0.1' });
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (data: string) => (text += data));
  const clientClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(GET('/busy'));
  while (waiting === undefined) await new Promise((r) => setTimeout(r, 5));
  let calledBack = false;
  const closed = new Promise<void>((resolve) => http.close(() => resolve(void (calledBack = true))));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(calledBack, false, 'a connection is still busy');
  waiting('done');
  await closed;
  await clientClosed;
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\nConnection: close\r\n\r\ndone$/);
  listener.close();
});
