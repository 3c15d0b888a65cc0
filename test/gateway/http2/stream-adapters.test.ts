/**
 * HTTP/2 requests on a TLS frontend are served through node:http2's core stream API by the adapters in
 * src/gateway/http2 (not its compatibility layer). Over real h2 connections, against raw TCP upstreams
 * where the bytes matter: the upstream gets the head the gateway admitted and the client gets the
 * upstream's head in its order; bodies stream both ways; a client's RST_STREAM reaches the upstream as
 * an aborted exchange; refused requests never reach an upstream; Expect and HEAD behave as before.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { startUpstream } from '../support/upstream.js';
import { startInProcess } from '../support/in-process.js';
import { createPki } from '../tls/support/pki.js';

/** A raw HTTP/1.1 upstream: records what each connection received, answers each head with `answer(head)`. */
async function rawUpstream(answer: (head: string, socket: Socket) => void) {
  const received: string[] = [];
  const closed: Array<Promise<void>> = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const index = received.push('') - 1;
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    let answered = false;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received[index] += chunk;
      const end = (received[index] as string).indexOf('\r\n\r\n');
      if (!answered && end !== -1) {
        answered = true;
        answer((received[index] as string).slice(0, end + 4), socket);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    closed,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

async function gatewayFor(t: TestContext, upstream: string, extra: Record<string, unknown> = {}) {
  const pki = createPki(t);
  if (pki === undefined) return undefined;
  t.after(() => pki.close());
  const site = pki.issue('site', ['localhost']);
  const gateway = await startInProcess({
    access_log: true,
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: site.certFile, key: site.keyFile }, ...extra } },
    backends: { app: { servers: { a: { address: upstream } } } },
  });
  const session = connect(`https://localhost:${gateway.port}`, { ca: pki.ca.cert });
  session.on('error', () => {});
  t.after(async () => {
    session.destroy();
    await gateway.close();
  });
  return { gateway, session };
}

interface H2Result {
  status: number;
  raw: string[];
  body: Buffer;
  informational: number[];
}

function exchange(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer | ((stream: ClientHttp2Stream) => void)): Promise<H2Result> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    const result: H2Result = { status: 0, raw: [], body: Buffer.alloc(0), informational: [] };
    const chunks: Buffer[] = [];
    stream.on('headers', (h: IncomingHttpHeaders) => result.informational.push(Number(h[':status'])));
    stream.on('response', (h: IncomingHttpHeaders, _flags: number, raw: string[]) => {
      result.status = Number(h[':status']);
      result.raw = raw;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      result.body = Buffer.concat(chunks);
      resolve(result);
    });
    stream.on('error', reject);
    if (Buffer.isBuffer(body)) stream.end(body);
    else if (body !== undefined) body(stream);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('the upstream gets the admitted head; the client gets the upstream head in its order, duplicates kept apart', async (t) => {
  const upstream = await rawUpstream((_head, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nX-B: 1\r\nSet-Cookie: a=1\r\nConnection: keep-alive, x-hop\r\nX-Hop: no\r\nX-A: 2\r\nSet-Cookie: b=2\r\nX-B: 3\r\nContent-Length: 5\r\n\r\nhello');
  });
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address);
  if (setup === undefined) return;
  const result = await exchange(setup.session, { ':path': '/a/b?c=1', 'x-one': 'one', 'x-forwarded-for': '6.6.6.6', 'x-two': 'two' });
  assert.equal(result.status, 200);
  assert.equal(result.body.toString(), 'hello');
  const pairs: string[] = [];
  for (let i = 0; i < result.raw.length; i += 2) if (result.raw[i] !== 'date') pairs.push(`${result.raw[i]}: ${result.raw[i + 1]}`);
  // the compatibility layer grouped fields by name (both Set-Cookie first, then X-A...): now as the upstream sent them
  assert.deepEqual(pairs, [':status: 200', 'x-b: 1', 'set-cookie: a=1', 'x-a: 2', 'set-cookie: b=2', 'x-b: 3', 'content-length: 5']);
  const head = upstream.received[0] as string;
  const lines = head.split('\r\n');
  assert.equal(lines[0], 'GET /a/b?c=1 HTTP/1.1');
  const fields = lines.slice(1).filter((l) => l !== '').map((l) => l.toLowerCase());
  assert.ok(fields.includes('x-one: one') && fields.includes('x-two: two'), head);
  assert.ok(fields.includes(`host: localhost:${setup.gateway.port}`), head);
  assert.ok(fields.includes('x-forwarded-for: 127.0.0.1'), 'a client X-Forwarded-For from an untrusted peer is replaced');
  assert.ok(fields.includes('x-forwarded-proto: https'), head);
  assert.ok(!fields.some((l) => l.startsWith(':')), 'no pseudo-header goes upstream');
});

test('request and response bodies stream both ways, with and without a declared length', async (t) => {
  const upstream = await startUpstream('app', (req, res) => {
    res.writeHead(200, { 'x-te': String(req.headers['transfer-encoding']), 'x-cl': String(req.headers['content-length']) });
    req.pipe(res);
    return true;
  });
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address);
  if (setup === undefined) return;
  const payload = randomBytes(3 * 1024 * 1024 + 17);
  const chunked = await exchange(setup.session, { ':method': 'POST', ':path': '/echo' }, (stream) => {
    for (let at = 0; at < payload.length; at += 65_536) stream.write(payload.subarray(at, at + 65_536));
    stream.end();
  });
  assert.equal(chunked.status, 200);
  assert.equal(chunked.body.length, payload.length);
  assert.equal(sha(chunked.body), sha(payload));
  const raw = Object.fromEntries(chunked.raw.map((v, i, a) => (i % 2 === 0 ? [v, a[i + 1]] : [])).filter((e) => e.length === 2));
  assert.equal(raw['x-te'], 'chunked', 'a body without content-length goes upstream chunked');
  const sized = await exchange(setup.session, { ':method': 'PUT', ':path': '/echo', 'content-length': String(payload.length) }, payload);
  assert.equal(sha(sized.body), sha(payload));
  assert.ok(sized.raw.includes(String(payload.length)), 'the declared length reached the upstream');
});

test("a client's RST_STREAM mid-upload and mid-download reaches the upstream as an aborted exchange", async (t) => {
  const upstream = await rawUpstream((head, socket) => {
    // a download: head and a first chunk, then nothing (the client leaves)
    if (head.startsWith('GET')) socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n');
  });
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address);
  if (setup === undefined) return;
  const { session, gateway } = setup;
  // upload: 1 MB declared, 64 KB sent, then RST_STREAM(CANCEL)
  const upload = session.request({ ':method': 'POST', ':path': '/up', 'content-length': '1048576' });
  upload.on('error', () => {});
  upload.write(randomBytes(65_536));
  while ((upstream.received[0] ?? '').length < 65_536) await new Promise((r) => setTimeout(r, 10));
  upload.close(constants.NGHTTP2_CANCEL);
  await upstream.closed[0];
  assert.ok((upstream.received[0] as string).length < 1_048_576, 'the upstream never got the whole body');
  // download: the first chunk arrives, then RST_STREAM(CANCEL)
  const download = session.request({ ':path': '/down' });
  download.on('error', () => {});
  await new Promise<void>((resolve) => download.once('data', () => resolve()));
  download.close(constants.NGHTTP2_CANCEL);
  await upstream.closed[1];
  await new Promise((r) => setTimeout(r, 50));
  const errors = gateway.logs.filter((l) => l.path === '/up' || l.path === '/down').map((l) => `${String(l.path)} ${String(l.status)} ${String(l.error)}`).sort();
  assert.deepEqual(errors, ['/down 499 client closed', '/up 499 client closed']);
});

test('refused requests (CONNECT, an unmet Expect, a bad :authority, no route) never reach the upstream', async (t) => {
  const upstream = await startUpstream('app');
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address, { default_backend: undefined, routes: [{ path_prefix: '/api', backend: 'app' }] });
  if (setup === undefined) return;
  const { session } = setup;
  const connectMethod = await exchange(session, { ':method': 'CONNECT', ':authority': 'example.com:443' });
  assert.equal(connectMethod.status, 405);
  const expect = await exchange(session, { ':path': '/api/x', expect: 'teapot' });
  assert.equal(expect.status, 417);
  const mismatch = await exchange(session, { ':path': '/api/x', ':authority': 'localhost', host: 'other.example' });
  assert.equal(mismatch.status, 400);
  const noRoute = await exchange(session, { ':path': '/elsewhere' });
  assert.equal(noRoute.status, 404);
  assert.match(noRoute.body.toString(), /Not Found/);
  const head = await exchange(session, { ':method': 'HEAD', ':path': '/elsewhere' });
  assert.equal(head.status, 404);
  assert.equal(head.body.length, 0, 'a HEAD answer has no body');
  assert.equal(upstream.requests, 0);
  // the session is still usable after all of these
  const ok = await exchange(session, { ':path': '/api/ok' });
  assert.equal(ok.status, 200);
  assert.equal(upstream.requests, 1);
});

test('Expect: 100-continue gets its 100 before the request is forwarded with its body', async (t) => {
  const upstream = await startUpstream('app');
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address);
  if (setup === undefined) return;
  const result = await exchange(setup.session, { ':method': 'POST', ':path': '/c', expect: '100-continue', 'content-length': '4' }, Buffer.from('body'));
  assert.deepEqual(result.informational, [100]);
  assert.equal(result.status, 200);
  const echo = JSON.parse(result.body.toString()) as { bytes: number; headers: Record<string, string> };
  assert.equal(echo.bytes, 4);
  assert.equal(echo.headers.expect, undefined, 'Expect is hop-by-hop: not forwarded');
});

test('compression, CORS and the request ID work on the stream adapters; a local answer carries the request ID', async (t) => {
  const upstream = await startUpstream('app', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('x'.repeat(20_000));
    return true;
  });
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address, {
    default_backend: undefined,
    request_id: true,
    compression: { algorithms: ['gzip'] },
    routes: [{ path_prefix: '/api', backend: 'app', cors: { origins: ['https://app.example.com'] } }, { path_prefix: '/small', backend: 'app', max_body_size: 10 }],
  });
  if (setup === undefined) return;
  const result = await exchange(setup.session, { ':path': '/api/big', 'accept-encoding': 'gzip', origin: 'https://app.example.com' });
  assert.equal(result.status, 200);
  const headers = new Map<string, string>();
  for (let i = 0; i < result.raw.length; i += 2) headers.set(result.raw[i] as string, result.raw[i + 1] as string);
  assert.equal(headers.get('content-encoding'), 'gzip');
  assert.equal(headers.get('access-control-allow-origin'), 'https://app.example.com');
  assert.match(headers.get('x-request-id') ?? '', /^[\w-]{8,}$/);
  const { gunzipSync } = await import('node:zlib');
  assert.equal(gunzipSync(result.body).toString(), 'x'.repeat(20_000));
  const preflight = await exchange(setup.session, { ':method': 'OPTIONS', ':path': '/api/big', origin: 'https://app.example.com', 'access-control-request-method': 'POST' });
  assert.equal(preflight.status, 204);
  const tooLarge = await exchange(setup.session, { ':method': 'POST', ':path': '/small', 'content-length': '100' }, Buffer.alloc(100));
  assert.equal(tooLarge.status, 413);
  assert.ok(tooLarge.raw.includes('x-request-id'), 'the local answer carries the request ID set before its head');
  assert.equal(upstream.requests, 1);
});

test('a drain (GOAWAY) lets every stream in flight on a session finish', async (t) => {
  const upstream = await startUpstream('app');
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address);
  if (setup === undefined) return;
  const { session, gateway } = setup;
  const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
  const inflight = [200, 300, 400].map((ms) => exchange(session, { ':path': `/slow/${ms}` }));
  await new Promise((r) => setTimeout(r, 100));
  const closed = gateway.close();
  const results = await Promise.all(inflight);
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
  assert.deepEqual(results.map((r) => (JSON.parse(r.body.toString()) as { url: string }).url), ['/slow/200', '/slow/300', '/slow/400']);
  await goaway;
  await closed;
});

test('an upstream head HTTP/2 cannot carry (two Content-Type fields) is answered 502, with the request ID', async (t) => {
  const upstream = await rawUpstream((_head, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok');
  });
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address, { request_id: true });
  if (setup === undefined) return;
  const result = await exchange(setup.session, { ':path': '/two-types' });
  assert.equal(result.status, 502);
  assert.match(result.body.toString(), /Bad Gateway/);
  assert.ok(result.raw.includes('x-request-id'));
  assert.equal(result.raw.filter((v) => v === 'content-type').length, 1);
  // the session is unharmed
  const again = await exchange(setup.session, { ':path': '/two-types' });
  assert.equal(again.status, 502);
  const logged = setup.gateway.logs.filter((l) => l.path === '/two-types').map((l) => `${String(l.status)} ${String(l.error)}`);
  assert.deepEqual(logged, ['502 invalid upstream response header', '502 invalid upstream response header'], 'answered once, for what it is');
});

test('DATA beyond the declared content-length is a protocol error (nghttp2 ends the session); the upstream never gets a complete request', async (t) => {
  const upstream = await rawUpstream(() => {});
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address);
  if (setup === undefined) return;
  const stream = setup.session.request({ ':method': 'POST', ':path': '/long', 'content-length': '4' });
  const outcome = new Promise<string>((resolve) => {
    stream.on('response', (h: IncomingHttpHeaders) => resolve(`status ${String(h[':status'])}`));
    stream.on('error', (error: Error & { code?: string }) => resolve(error.code ?? 'error'));
    stream.on('close', () => resolve(`closed ${stream.rstCode}`));
  });
  stream.end(Buffer.from('0123456789'));
  const result = await outcome;
  assert.match(result, /ERR_HTTP2_SESSION_ERROR|ERR_HTTP2_STREAM_ERROR|closed [1-9]/, `reset, not answered: ${result}`);
  await new Promise((r) => setTimeout(r, 100));
  const received = upstream.received.join('');
  assert.ok(!received.includes('456789'), 'no byte past the declared length reached the upstream');
});

test('an upstream that dies mid-body: the client stream is reset, never ended as if complete', async (t) => {
  const upstream = await rawUpstream((_head, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
    setTimeout(() => socket.destroy(), 50);
  });
  t.after(() => upstream.close());
  const setup = await gatewayFor(t, upstream.address);
  if (setup === undefined) return;
  const stream = setup.session.request({ ':path': '/cut' });
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const outcome = await new Promise<string>((resolve) => {
    stream.on('end', () => resolve('end'));
    stream.on('error', (error: Error & { code?: string }) => resolve(error.code ?? 'error'));
    stream.on('close', () => resolve(`close rst ${stream.rstCode}`));
  });
  assert.ok(bytes < 100_000);
  assert.notEqual(outcome, 'end', 'a cut response must not end like a complete one');
  assert.notEqual(outcome, `close rst ${constants.NGHTTP2_NO_ERROR}`, `reset with an error code, got ${outcome}`);
});
