/**
 * The isolation invariant of the upstream client: a connection that receives anything it cannot attribute to
 * exactly one message of the exchange in progress is closed and never reused. Each case scripts the first
 * connection of a raw TCP upstream; the next request must go on a fresh connection and get its own answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Collector, delay, echoPath, get, makePool, rawServer, send, type RawRequest, type RawServer } from './support.js';
import type { UpstreamPool } from '../../../src/gateway/upstream/pool.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const STRAY = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray';

/** What the first connection's first request gets; `later` is written 20 ms after, when the connection is idle. */
const cases: Array<{ what: string; now: string; later?: string }> = [
  { what: 'empty lines while idle', now: OK, later: '\r\n\r\n' },
  { what: 'a partial status line while idle', now: OK, later: 'HTTP/1.1 2' },
  { what: 'a 100 Continue while idle', now: OK, later: 'HTTP/1.1 100 Continue\r\n\r\n' },
  { what: 'a whole response while idle', now: OK, later: STRAY },
  { what: 'a 1xx right after the final response', now: `${OK}HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n` },
  { what: 'a second response in the same read', now: `${OK}${STRAY}` },
  { what: 'a second response after a chunked one with trailers', now: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n${STRAY}` },
  { what: 'bytes after a Connection: close response the server did not close', now: `HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok${STRAY}` },
  { what: 'bytes after an HTTP/1.0 response', now: `HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok${STRAY}` },
  { what: 'a body after a 204', now: 'HTTP/1.1 204 No Content\r\n\r\nbody' },
  { what: 'the body a 304 announced', now: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nstray' },
  { what: 'a 101 to a request that did not ask for it', now: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' },
];

async function serve(t: import('node:test').TestContext, first: (r: RawRequest) => void) {
  const server = await rawServer((r) => {
    if (server.requests.length === 1) first(r);
    else echoPath(r);
  });
  // a response timeout longer than any wait here: an idle connection closed by its timer proves nothing
  const pool = makePool(server.port, { responseTimeout: 10_000 });
  t.after(async () => { await server.close(); await pool.close(); });
  return { server, pool };
}

/** The first connection is closed and the next request has a connection, and an answer, of its own. */
async function nextIsIsolated(server: RawServer, pool: UpstreamPool): Promise<void> {
  await server.waitClosed(0);
  const next = await send(pool, get('/next'));
  assert.deepEqual([next.status, next.body, next.endings], [200, '/next', 1]);
  assert.deepEqual(server.requests.map((r) => r.connection), [0, 1], 'the next request went on the first connection');
}

for (const c of cases) {
  test(`${c.what}: the connection is closed and the next request gets a fresh one`, async (t) => {
    const { server, pool } = await serve(t, (r) => {
      r.socket.write(c.now);
      if (c.later !== undefined) setTimeout(() => r.socket.write(c.later as string), 20);
    });
    const a = await send(pool, get('/a'));
    assert.equal(a.endings, 1);
    assert.ok(!a.body.includes('stray'), 'a stray response was delivered');
    await nextIsIsolated(server, pool);
  });
}

test('a body after the answer to a HEAD request (which has none) retires the connection', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray'));
  const a = await send(pool, { method: 'HEAD', path: '/a', headers: [], body: null });
  assert.deepEqual([a.status, a.body, a.endings], [200, '', 1]);
  await nextIsIsolated(server, pool);
});

test('a keep-alive answer while the request body still streams: the rest of the body is never sent, the connection never reused', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write(OK));
  const body = new PassThrough();
  const a = new Collector();
  pool.dispatch({ method: 'POST', path: '/upload', headers: ['content-length', '10'], body }, a);
  body.write('first');
  await a.done;
  assert.deepEqual([a.status, a.body, a.completed], [200, 'ok', true]);
  body.end('-rest');
  await nextIsIsolated(server, pool);
  assert.ok(!(server.received[0] as string).includes('-rest'), 'the rest of the body reached the upstream');
});

test('a complete response held for a paused handler, then a stray response in the same read: delivered whole, then the connection is retired', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n${STRAY}`));
  const a = new PausingOnce();
  pool.dispatch(get('/a'), a);
  await delay(30);
  a.resume?.();
  await a.done;
  assert.deepEqual(a.events, ['connect', 'headers:200', 'data', 'data', 'complete']);
  assert.equal(a.body, 'onetwo');
  await nextIsIsolated(server, pool);
});

test('the rest of a response the handler aborted is never taken for the next request\'s answer', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfirst');
    setTimeout(() => r.socket.write(`-rest${STRAY}`), 30);
  });
  const a = new AbortingOnData();
  await send(pool, get('/a'), a);
  assert.deepEqual(a.events, ['connect', 'headers:200', 'data', 'error:ERR_UPSTREAM_ABORTED']);
  await nextIsIsolated(server, pool);
});

test('resume() and abort() kept from an earlier exchange do nothing to the next one on the same connection', async (t) => {
  const { server, pool } = await serve(t, (r) => r.socket.write(OK));
  const a = await send(pool, get('/a'));
  const b = new Collector();
  pool.dispatch(get('/b'), b);
  a.abort?.();
  a.resume?.();
  await b.done;
  assert.deepEqual([b.events.at(-1), b.body], ['complete', '/b']);
  assert.deepEqual([server.connections(), pool.stats.idle], [1, 1]);
});

/** Pauses on its first body chunk (returns false) until resume(). */
class PausingOnce extends Collector {
  override onData(chunk: Buffer): boolean {
    super.onData(chunk);
    return this.chunks.length !== 1;
  }
}

/** Aborts the exchange on its first body chunk (a client that went away mid-response). */
class AbortingOnData extends Collector {
  override onData(chunk: Buffer): boolean {
    super.onData(chunk);
    this.abort?.();
    return false;
  }
}
