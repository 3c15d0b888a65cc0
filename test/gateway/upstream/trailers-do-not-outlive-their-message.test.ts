/**
 * Response trailers belong to their message only: they are dropped (never merged into a head, neither this
 * response's nor a later one's on the same pooled connection), and a trailer section llhttp refuses ends the
 * exchange with ERR_UPSTREAM_BAD_RESPONSE only after every body byte parsed before it reached the handler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Collector, echoPath, get, makePool, rawServer, send, type RawRequest } from './support.js';

const path = (r: RawRequest) => r.head.split(' ')[1] ?? '';

async function serve(t: import('node:test').TestContext, respond: (r: RawRequest) => void) {
  const server = await rawServer(respond);
  const pool = makePool(server.port);
  t.after(async () => { await server.close(); await pool.close(); });
  return { server, pool };
}

const names = (headers: string[]) => headers.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

test('trailers of a chunked response never reach the next response on the same connection', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (path(r) === '/a') r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nA!\r\n0\r\nX-T: secret-of-a\r\nSet-Cookie: session=client-a\r\n\r\n');
    else echoPath(r);
  });
  const a = await send(pool, get('/a'));
  assert.deepEqual([a.status, a.body, a.completed], [200, 'A!', true]);
  assert.deepEqual(names(a.headers), ['transfer-encoding'], 'trailers are not merged into their own head either');
  const b = await send(pool, get('/b'));
  assert.deepEqual([b.status, b.body], [200, '/b']);
  assert.deepEqual(b.headers, ['Content-Length', '2'], 'client A\'s trailers showed up in client B\'s response');
  assert.equal(server.connections(), 1, 'the connection is still reused (the trailers were a valid part of the first message)');
});

test('more than 32 trailer fields (delivered by the parser in batches) do not leak either', async (t) => {
  const trailers = Array.from({ length: 40 }, (_, i) => `X-Trailer-${i}: v${i}\r\n`).join('');
  const { server, pool } = await serve(t, (r) => {
    if (path(r) === '/a') r.socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n${trailers}\r\n`);
    else echoPath(r);
  });
  await send(pool, get('/a'));
  const b = await send(pool, get('/b'));
  assert.deepEqual(b.headers, ['Content-Length', '2']);
  const c = await send(pool, get('/c'));
  assert.deepEqual(c.headers, ['Content-Length', '2']);
  assert.equal(server.connections(), 1);
});

test('a long head after a response with trailers is delivered whole and alone', async (t) => {
  const many = Array.from({ length: 40 }, (_, i) => `X-H-${i}: ${i}\r\n`).join('');
  const { pool } = await serve(t, (r) => {
    if (path(r) === '/a') r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: t\r\n\r\n');
    else r.socket.write(`HTTP/1.1 200 OK\r\n${many}Content-Length: 0\r\n\r\n`);
  });
  await send(pool, get('/a'));
  const b = await send(pool, get('/b'));
  assert.equal(b.headers.length, 82);
  assert.ok(!names(b.headers).includes('x-t'));
});

test('a trailer llhttp refuses: the head and the body bytes before it are delivered, then ERR_UPSTREAM_BAD_RESPONSE', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (r.connection === 0) r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nBad Trailer: x\r\n\r\n');
    else echoPath(r);
  });
  const a = await send(pool, get('/a'));
  assert.deepEqual(a.events, ['connect', 'headers:200', 'data', 'error:ERR_UPSTREAM_BAD_RESPONSE']);
  assert.equal(a.body, 'hello');
  await server.waitClosed(0);
  const b = await send(pool, get('/b'));
  assert.deepEqual([b.status, b.body, server.connections()], [200, '/b', 2]);
});

test('a paused handler gets the held body bytes first, then the error of the refused trailer', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n3\r\ntwo\r\n0\r\nBad Trailer: x\r\n\r\n'));
  const h = new PausingCollector();
  pool.dispatch(get('/a'), h);
  await h.paused;
  setTimeout(() => h.resume?.(), 20);
  await h.done;
  assert.deepEqual(h.events, ['connect', 'headers:200', 'data', 'data', 'error:ERR_UPSTREAM_BAD_RESPONSE']);
  assert.equal(h.body, 'onetwo');
  assert.ok(h.errorTurn > h.lastDataTurn, `the error came in the turn of the held chunk's delivery (${h.lastDataTurn} → ${h.errorTurn})`);
});

test('the error after the head is reported on a later turn than the body bytes, so writes the handler made go out first', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nBad Trailer: x\r\n\r\n'));
  const h = new TurnCollector();
  await send(pool, get('/a'), h);
  assert.deepEqual(h.turns, ['headers:200@0', 'data@0', 'error@1']);
});

/** Pauses on its first body chunk (returns false), until resume(); notes the event-loop turn of its last chunk and of its error. */
class PausingCollector extends Collector {
  readonly paused: Promise<void>;
  lastDataTurn = -1;
  errorTurn = -1;
  private onPaused!: () => void;
  private turn = 0;
  constructor() {
    super();
    this.paused = new Promise((resolve) => { this.onPaused = resolve; });
    const tick = () => {
      this.turn++;
      if (this.errorTurn === -1) setImmediate(tick);
    };
    setImmediate(tick);
  }
  override onError(error: Error & { code?: string }): void {
    this.errorTurn = this.turn;
    super.onError(error);
  }
  override onData(chunk: Buffer): boolean {
    this.lastDataTurn = this.turn;
    super.onData(chunk);
    if (this.chunks.length === 1) {
      this.onPaused();
      return false;
    }
    return true;
  }
}

/** Records in which event-loop turn (counted by setImmediate) each callback came. */
class TurnCollector extends Collector {
  turns: string[] = [];
  private turn = 0;
  private ticking = false;
  private tick = () => {
    this.turn++;
    this.ticking = false;
  };
  private mark(what: string) {
    this.turns.push(`${what}@${this.turn}`);
    if (!this.ticking) {
      this.ticking = true;
      setImmediate(this.tick);
    }
  }
  override onHeaders(statusCode: number, headers: string[], resume: () => void): boolean {
    this.mark(`headers:${statusCode}`);
    return super.onHeaders(statusCode, headers, resume);
  }
  override onData(chunk: Buffer): boolean {
    this.mark('data');
    return super.onData(chunk);
  }
  override onError(error: Error & { code?: string }): void {
    this.mark('error');
    super.onError(error);
  }
}
