/**
 * The upstream client's failures and flow control against real sockets: refused and timed-out
 * connections, response and body timeouts, a close mid-body, the one transparent retry on a stale
 * kept-alive connection, backpressure on a large chunked body, and probe().
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startBlackhole } from '../support/blackhole.js';
import { probe } from '../../../src/gateway/upstream/probe.js';
import { Collector, closedPort, delay, echoPath, get, makePool, rawServer, send, until, type RawRequest } from './support.js';
import type { PoolOptions } from '../../../src/gateway/upstream/types.js';

async function serve(t: TestContext, respond: (r: RawRequest) => void, options: Partial<PoolOptions> = {}) {
  const server = await rawServer(respond);
  const pool = makePool(server.port, options);
  t.after(async () => { await server.close(); await pool.close(); });
  return { server, pool };
}

test('a closed port → onError ECONNREFUSED', async (t) => {
  const pool = makePool(await closedPort());
  t.after(() => pool.close());
  const a = await send(pool, get());
  assert.equal(a.error?.code, 'ECONNREFUSED');
  assert.deepEqual(a.events, ['connect', 'error:ECONNREFUSED']);
  await until(() => pool.stats.open === 0, 1000, 'the pool to forget the connection');
});

test('no connection within connectTimeout → ERR_UPSTREAM_CONNECT_TIMEOUT', async (t) => {
  const hole = await startBlackhole();
  t.after(() => hole.close());
  const port = hole.port;
  const pool = makePool(port, { connectTimeout: 200, responseTimeout: 100 });
  t.after(() => pool.close());
  const started = Date.now();
  const a = await send(pool, get());
  const elapsed = Date.now() - started;
  assert.equal(a.error?.code, 'ERR_UPSTREAM_CONNECT_TIMEOUT', 'the shorter response timeout does not preempt the connect timer');
  assert.ok(elapsed >= 180 && elapsed < 1500, `after ${elapsed} ms`);
  assert.equal(a.endings, 1);
});

test('a server that accepts but never answers → ERR_UPSTREAM_RESPONSE_TIMEOUT after responseTimeout', async (t) => {
  const { server, pool } = await serve(t, () => undefined, { responseTimeout: 200 });
  const started = Date.now();
  const a = await send(pool, get());
  const elapsed = Date.now() - started;
  assert.equal(a.error?.code, 'ERR_UPSTREAM_RESPONSE_TIMEOUT');
  assert.ok(elapsed >= 180 && elapsed < 1500, `after ${elapsed} ms`);
  await server.waitClosed(0);
});

test('a server that sends the head, then stalls the body → ERR_UPSTREAM_BODY_TIMEOUT', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial'), { responseTimeout: 200 });
  const a = await send(pool, get());
  assert.equal(a.status, 200);
  assert.equal(a.body, 'partial');
  assert.equal(a.error?.code, 'ERR_UPSTREAM_BODY_TIMEOUT');
  assert.ok(!a.events.includes('complete'));
  await server.waitClosed(0);
});

test('a body that keeps trickling in is not timed out, however long the whole response takes', async (t) => {
  const { pool } = await serve(t, (r) => {
    r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    let n = 0;
    const timer = setInterval(() => {
      if (r.socket.destroyed) return clearInterval(timer);
      if (++n <= 8) r.socket.write('1\r\nx\r\n');
      else { clearInterval(timer); r.socket.write('0\r\n\r\n'); }
    }, 50);
  }, { responseTimeout: 200 });
  const a = await send(pool, get());
  assert.deepEqual([a.status, a.body, a.error], [200, 'xxxxxxxx', undefined]);
});

for (const [what, head] of [['Content-Length', 'Content-Length: 100\r\n\r\nten bytes!'], ['chunked', 'Transfer-Encoding: chunked\r\n\r\na\r\nten bytes!\r\n']] as const) {
  test(`the server closes mid-body (${what}) → ERR_UPSTREAM_CLOSED`, async (t) => {
    const { pool } = await serve(t, (r) => r.socket.end(`HTTP/1.1 200 OK\r\n${head}`));
    const a = await send(pool, get());
    assert.equal(a.status, 200);
    assert.equal(a.body, 'ten bytes!');
    assert.equal(a.error?.code, 'ERR_UPSTREAM_CLOSED');
    assert.equal(a.endings, 1);
  });
}

test('the server closes mid-head → ERR_UPSTREAM_CLOSED (or BAD_RESPONSE), never a response', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.end('HTTP/1.1 200 OK\r\nContent-Len'));
  const a = await send(pool, get());
  assert.ok(a.error?.code === 'ERR_UPSTREAM_CLOSED' || a.error?.code === 'ERR_UPSTREAM_BAD_RESPONSE', a.error?.code);
  assert.ok(!a.events.some((e) => e.startsWith('headers')));
});

// ---- stale keep-alive ----

test('a kept-alive connection the server drops as it is reused: one transparent retry on a fresh connection', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (r.connection === 0 && server.requests.length === 2) r.socket.destroy(); // the 2nd request, unanswered
    else echoPath(r);
  });
  await send(pool, get('/first'));
  const b = await send(pool, get('/second'));
  assert.deepEqual([b.status, b.body, b.error, b.endings], [200, '/second', undefined, 1]);
  assert.equal(server.connections(), 2);
  assert.deepEqual(server.requests.map((r) => [r.connection, r.head.split(' ')[1]]), [[0, '/first'], [0, '/second'], [1, '/second']]);
});

test('a kept-alive connection reset (RST) as it is reused: retried transparently too', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (r.connection === 0 && server.requests.length === 2) r.socket.resetAndDestroy();
    else echoPath(r);
  });
  await send(pool, get('/first'));
  const b = await send(pool, get('/second'));
  assert.deepEqual([b.status, b.body, b.error], [200, '/second', undefined]);
  assert.equal(server.connections(), 2);
});

test('the same failure on a fresh connection → ERR_UPSTREAM_CLOSED, no retry', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.destroy());
  const a = await send(pool, get('/x'));
  assert.equal(a.error?.code, 'ERR_UPSTREAM_CLOSED');
  await delay(30);
  assert.equal(server.connections(), 1);
  assert.equal(server.requests.length, 1);
});

test('a stale reused connection, then the retry fails too → ERR_UPSTREAM_CLOSED after exactly one retry', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (server.requests.length === 1) echoPath(r);
    else r.socket.destroy();
  });
  await send(pool, get('/first'));
  const b = await send(pool, get('/second'));
  assert.equal(b.error?.code, 'ERR_UPSTREAM_CLOSED');
  assert.equal(b.endings, 1);
  await delay(30);
  assert.equal(server.connections(), 2);
  assert.equal(server.requests.length, 3);
});

test('a non-idempotent request (POST without body) is not replayed after a stale connection', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (r.head.startsWith('POST') && r.connection === 0) r.socket.destroy(); // received (maybe acted on), then gone
    else echoPath(r);
  });
  await send(pool, get('/first'));
  const b = await send(pool, { method: 'POST', path: '/charge', headers: [], body: null });
  await delay(30);
  assert.equal(server.requests.filter((r) => r.head.startsWith('POST')).length, 1, 'the POST reached the server twice');
  assert.equal(b.error?.code, 'ERR_UPSTREAM_CLOSED');
});

// ---- backpressure ----

function chunkedBody(total: number, size: number): { wire: Buffer; body: Buffer } {
  const body = Buffer.alloc(total);
  for (let i = 0; i < total; i++) body[i] = (i * 7) % 256;
  const parts: Buffer[] = [];
  for (let i = 0; i < total; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return { wire: Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), ...parts]), body };
}

/** Returns false from every onData and resumes a little later; counts onData calls while paused. */
class PausingCollector extends Collector {
  paused = false;
  callsWhilePaused = 0;
  pauses = 0;
  constructor(private readonly resumeAfter: () => Promise<void>) {
    super();
  }
  override onData(chunk: Buffer): boolean {
    super.onData(chunk);
    if (this.paused) {
      this.callsWhilePaused++;
      return false;
    }
    this.paused = true;
    this.pauses++;
    void this.resumeAfter().then(() => {
      this.paused = false;
      this.resume!();
    });
    return false;
  }
}

test('onData returning false pauses the body: no onData until resume() (8 MiB chunked)', async (t) => {
  const { wire, body } = chunkedBody(8 * 1024 * 1024, 4096);
  const { pool } = await serve(t, (r) => r.socket.write(wire));
  const h = new PausingCollector(() => new Promise((resolve) => setImmediate(resolve)));
  await send(pool, get('/big'), h);
  assert.equal(h.error, undefined);
  assert.ok(Buffer.concat(h.chunks).equals(body), 'the whole body, in order');
  assert.equal(h.callsWhilePaused, 0, `onData was called ${h.callsWhilePaused} times while paused (${h.pauses} pauses)`);
});

test('a paused body (8 MiB chunked) still arrives whole and in order', async (t) => {
  const { wire, body } = chunkedBody(8 * 1024 * 1024, 4096);
  const { pool } = await serve(t, (r) => r.socket.write(wire));
  const h = new PausingCollector(() => new Promise((resolve) => setImmediate(resolve)));
  await send(pool, get('/big'), h);
  assert.equal(h.error, undefined);
  assert.ok(h.pauses > 1);
  assert.ok(Buffer.concat(h.chunks).equals(body));
});

test('a response paused by the handler (slow client) longer than responseTimeout is not a body timeout', async (t) => {
  const { wire, body } = chunkedBody(1024 * 1024, 16_384);
  const { pool } = await serve(t, (r) => r.socket.write(wire), { responseTimeout: 150 });
  let first = true;
  const h = new PausingCollector(async () => {
    if (first) {
      first = false;
      await delay(400); // the client downstream is slow once
    }
  });
  await send(pool, get('/big'), h);
  assert.equal(h.error?.code, undefined);
  assert.ok(Buffer.concat(h.chunks).equals(body));
});

test('a response that completes while its handler is paused (a slow client) leaves the connection reading: the next request on it is answered', async (t) => {
  // the whole chunked response in one write: its end is parsed while the handler still holds the pause
  const { server, pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'), { connections: 1, responseTimeout: 1_000 });
  const first = new PausingCollector(() => delay(50));
  await send(pool, get('/first'), first);
  assert.equal(first.error, undefined);
  assert.equal(Buffer.concat(first.chunks).toString(), 'hello');
  const second = await send(pool, get('/second'));
  assert.equal(second.error?.code, undefined, 'not a response timeout on the reused connection');
  assert.equal(second.status, 200);
  assert.equal(server.connections(), 1, 'the same connection served both');
});

test('a handler that aborts inside onHeaders gets onError once, no body, and the process survives', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy!'));
  class AbortingCollector extends Collector {
    override onHeaders(statusCode: number, headers: string[], resume: () => void): boolean {
      super.onHeaders(statusCode, headers, resume);
      this.abort?.(new Error('not this answer'));
      return false;
    }
  }
  const h = await send(pool, get('/'), new AbortingCollector());
  assert.equal(h.error?.message, 'not this answer');
  assert.deepEqual(h.chunks, [], 'no body after the abort');
  assert.equal(h.endings, 1);
  // the pool still serves
  const next = await send(pool, get('/again'));
  assert.equal(next.status, 503);
});

test('onHeaders returning false pauses until resume(): no onData before it', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
  let resumed = false;
  let early = 0;
  class HeadPause extends Collector {
    override onHeaders(statusCode: number, headers: string[], resume: () => void): boolean {
      super.onHeaders(statusCode, headers, resume);
      setTimeout(() => { resumed = true; resume(); }, 20);
      return false;
    }
    override onData(chunk: Buffer): boolean {
      if (!resumed) early++;
      return super.onData(chunk);
    }
  }
  const h = await send(pool, get(), new HeadPause());
  assert.equal(h.body, 'hello');
  assert.equal(early, 0, 'onData came before resume()');
});

// ---- probe ----

test('probe() resolves with the status once the response is read', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write(r.head.includes('/down') ? 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown' : 'HTTP/1.1 204 No Content\r\n\r\n'));
  assert.equal(await probe(pool, 'GET', '/health', [], 1000), 204);
  assert.equal(await probe(pool, 'HEAD', '/down', ['x-probe', '1'], 1000), 503);
  assert.equal(server.connections(), 1, 'probes share the pool connections');
  assert.match(server.requests[1]!.head, /^HEAD \/down HTTP\/1\.1\r\nx-probe: 1\r\nhost: upstream\.test\r\n\r\n$/);
});

test('probe() rejects on its timeout with ERR_UPSTREAM_RESPONSE_TIMEOUT, and rejects refused connections', async (t) => {
  const { server, pool } = await serve(t, () => undefined, { responseTimeout: 5000 });
  const started = Date.now();
  await assert.rejects(probe(pool, 'GET', '/health', [], 150), (e: Error & { code?: string }) => e.code === 'ERR_UPSTREAM_RESPONSE_TIMEOUT');
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 130 && elapsed < 1000, `after ${elapsed} ms`);
  await server.waitClosed(0);
  const refused = makePool(await closedPort());
  t.after(() => refused.close());
  await assert.rejects(probe(refused, 'GET', '/health', [], 1000), (e: Error & { code?: string }) => e.code === 'ECONNREFUSED');
});
