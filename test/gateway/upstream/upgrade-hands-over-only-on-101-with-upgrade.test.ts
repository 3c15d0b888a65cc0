/**
 * Contract C2: an upgrade request's connection is handed over (socket + the bytes after the 101 head) only
 * on a 101 that carries Upgrade; the tunnel leaves the pool for good but counts against `connections` while
 * it lives; any other answer is an ordinary response after which the connection is closed; a 101 without
 * Upgrade, or to a request that did not ask, is a bad response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { Collector, delay, echoPath, get, makePool, rawServer, send, until, type RawRequest } from './support.js';
import type { PoolOptions, UpstreamRequest } from '../../../src/gateway/upstream/types.js';

const path = (r: RawRequest) => r.head.split(' ')[1] ?? '';
const SWITCH = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

class Upgrading extends Collector {
  socket: Socket | undefined;
  upgradeHead: Buffer | undefined;
  upgradeStatus = 0;
  upgradeHeaders: string[] = [];
  /** Settles on the hand-over, or on any other ending (then the test's assertions tell what came instead). */
  readonly upgraded: Promise<void>;
  private onUpgraded!: () => void;
  constructor() {
    super();
    this.upgraded = Promise.race([new Promise<void>((resolve) => { this.onUpgraded = resolve; }), this.done]);
  }
  onUpgrade(statusCode: number, headers: string[], socket: Socket, head: Buffer): void {
    this.events.push(`upgrade:${statusCode}`);
    this.upgradeStatus = statusCode;
    this.upgradeHeaders = headers;
    this.socket = socket;
    this.upgradeHead = Buffer.from(head);
    socket.on('error', () => undefined);
    this.onUpgraded();
  }
}

const upgrade = (p = '/ws'): UpstreamRequest => ({ method: 'GET', path: p, headers: ['connection', 'upgrade', 'upgrade', 'websocket'], body: null, upgrade: true });

async function serve(t: import('node:test').TestContext, respond: (r: RawRequest) => void, options: Partial<PoolOptions> = {}) {
  const server = await rawServer(respond);
  // a response timeout longer than any wait here (unless a test sets one): an idle connection closed by its timer proves nothing
  const pool = makePool(server.port, { responseTimeout: 10_000, ...options });
  t.after(async () => { await server.close(); await pool.close(); });
  return { server, pool };
}

/** Reads from the handed-over socket until `text` has arrived. */
function readUntil(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(got)}`)), 2000);
    socket.on('data', (data: Buffer) => {
      got += data.toString('latin1');
      if (got.includes(text)) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

test('101 with Upgrade: the socket and the bytes after the head are handed over, no other callback follows', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (path(r) === '/ws') {
      r.socket.write(Buffer.from(`${SWITCH}\x81\x05hello`, 'latin1'));
      r.socket.on('data', (data: Buffer) => { if (data.toString('latin1').includes('ping')) r.socket.write('pong'); });
    } else echoPath(r);
  });
  const h = new Upgrading();
  pool.dispatch(upgrade(), h);
  await h.upgraded;
  assert.equal(h.upgradeStatus, 101);
  assert.deepEqual(h.upgradeHeaders, ['Upgrade', 'websocket', 'Connection', 'Upgrade']);
  assert.equal(h.upgradeHead?.toString('latin1'), '\x81\x05hello');
  assert.deepEqual(pool.stats, { open: 0, idle: 0, waiting: 0, tunnels: 1 });
  const socket = h.socket as Socket;
  const reply = readUntil(socket, 'pong');
  socket.write('ping');
  assert.equal(await reply, 'pong', 'bytes after the hand-over go to the new reader, none to the parser');
  await delay(20);
  assert.deepEqual(h.events, ['connect', 'upgrade:101'], 'onUpgrade is the only ending');
  // the tunnel is never reused: the next request opens a connection of its own
  const next = await send(pool, get('/next'));
  assert.deepEqual([next.body, server.connections()], ['/next', 2]);
  socket.destroy();
  await until(() => pool.stats.tunnels === 0, 2000, 'the tunnel to leave the count');
});

test('a 101 split across reads, after a 100 Continue, with tunnel bytes in a later read: all delivered in order', async (t) => {
  const { pool } = await serve(t, (r) => {
    const s = r.socket;
    s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching');
    setTimeout(() => s.write(' Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nfirst'), 10);
    setTimeout(() => s.write('-second'), 40);
  });
  const h = new Upgrading();
  pool.dispatch(upgrade(), h);
  await h.upgraded;
  assert.equal(h.upgradeHead?.toString('latin1'), 'first');
  assert.equal(await readUntil(h.socket as Socket, '-second'), '-second');
  assert.deepEqual(h.events, ['connect', 'upgrade:101']);
  h.socket?.destroy();
});

test('a tunnel has no response timeout any more: it stays open past it', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write(SWITCH), { responseTimeout: 100 });
  const h = new Upgrading();
  pool.dispatch(upgrade(), h);
  await h.upgraded;
  await delay(300);
  const socket = h.socket as Socket;
  assert.equal(socket.destroyed, false);
  assert.deepEqual(h.events, ['connect', 'upgrade:101']);
  socket.destroy();
});

test('a tunnel counts against connections while it lives; the waiting request gets the slot when it closes', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (path(r) === '/ws') r.socket.write(SWITCH);
    else echoPath(r);
  }, { connections: 1 });
  const h = new Upgrading();
  pool.dispatch(upgrade(), h);
  await h.upgraded;
  const waiting = new Collector();
  pool.dispatch(get('/after'), waiting);
  await delay(50);
  assert.deepEqual([pool.stats.waiting, pool.stats.tunnels, server.connections()], [1, 1, 1]);
  h.socket?.destroy();
  await waiting.done;
  assert.deepEqual([waiting.body, server.connections(), pool.stats.tunnels], ['/after', 2, 0]);
});

test('close() does not wait for tunnels', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write(SWITCH));
  const h = new Upgrading();
  pool.dispatch(upgrade(), h);
  await h.upgraded;
  await Promise.race([pool.close(), delay(1000).then(() => assert.fail('close() waited for the tunnel'))]);
  h.socket?.destroy();
});

test('any other answer to an upgrade request is an ordinary response, and the connection is then closed', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (path(r) === '/ws') r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain');
    else echoPath(r);
  });
  const h = new Upgrading();
  await send(pool, upgrade(), h);
  assert.deepEqual(h.events, ['connect', 'headers:200', 'data', 'complete']);
  assert.equal(h.body, 'plain');
  await server.waitClosed(0);
  const next = await send(pool, get('/next'));
  assert.deepEqual([next.body, server.connections()], ['/next', 2]);
  assert.deepEqual(server.requests.map((r) => r.connection), [0, 1]);
});

const refused: Array<{ what: string; response: string; request: UpstreamRequest; handler: () => Collector }> = [
  { what: 'a 101 without an Upgrade header', response: 'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n\r\ntunnel?', request: upgrade(), handler: () => new Upgrading() },
  { what: 'a 101 switching to a protocol the request did not offer', response: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n', request: upgrade(), handler: () => new Upgrading() },
  { what: 'a 101 to a request that did not ask to upgrade (to a handler able to take a tunnel)', response: `${SWITCH}tunnel?`, request: get('/plain'), handler: () => new Upgrading() },
  { what: 'a 101 to an upgrade request whose handler cannot take a tunnel', response: SWITCH, request: upgrade(), handler: () => new Collector() },
];
for (const c of refused) {
  test(`${c.what} is a bad response, and the connection is closed`, async (t) => {
    const { server, pool } = await serve(t, (r) => r.socket.write(c.response));
    const h = await send(pool, c.request, c.handler());
    assert.deepEqual(h.events, ['connect', 'error:ERR_UPSTREAM_BAD_RESPONSE']);
    await server.waitClosed(0);
    assert.deepEqual(pool.stats, { open: 0, idle: 0, waiting: 0, tunnels: 0 });
  });
}

test('the Upgrade of a 101 matches an offered protocol in any case, among several offered', async (t) => {
  const { pool } = await serve(t, (r) => r.socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: upgrade\r\n\r\n'));
  const h = new Upgrading();
  pool.dispatch({ ...upgrade(), headers: ['Connection', 'Upgrade', 'Upgrade', 'h2c, websocket'] }, h);
  await h.upgraded;
  assert.deepEqual(h.events, ['connect', 'upgrade:101']);
  h.socket?.destroy();
});

test('an upgrade request with a body is refused before anything is sent', async (t) => {
  const { server, pool } = await serve(t, echoPath);
  const body = new PassThrough();
  body.end('GET /smuggled HTTP/1.1\r\n\r\n');
  const h = await send(pool, { ...upgrade(), method: 'POST', headers: ['content-length', '26', 'connection', 'upgrade', 'upgrade', 'websocket'], body });
  assert.equal(h.error?.code, 'ERR_UPSTREAM_BAD_REQUEST');
  await delay(30);
  assert.equal(server.connections(), 0);
});

test('an upgrade on a reused keep-alive connection: the earlier exchange is untouched, the tunnel gets only its bytes', async (t) => {
  const { server, pool } = await serve(t, (r) => {
    if (path(r) === '/ws') r.socket.write(`${SWITCH}tunnel`);
    else echoPath(r);
  });
  const first = await send(pool, get('/first'));
  assert.equal(first.body, '/first');
  const h = new Upgrading();
  pool.dispatch(upgrade(), h);
  await h.upgraded;
  assert.deepEqual([h.upgradeHead?.toString('latin1'), server.connections()], ['tunnel', 1]);
  assert.deepEqual(first.events, ['connect', 'headers:200', 'data', 'complete']);
  h.socket?.destroy();
});
