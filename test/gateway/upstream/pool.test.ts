/**
 * UpstreamPool against real sockets: keep-alive reuse and its limits (Connection: close, HTTP/1.0,
 * keep-alive expiry), the connection limit with its FIFO queue, aborting a queued request, close().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Collector, delay, echoPath, get, makePool, rawServer, send, until } from './support.js';

test('two sequential requests reuse one keep-alive connection', async (t) => {
  const server = await rawServer(echoPath);
  const pool = makePool(server.port);
  t.after(async () => { await server.close(); await pool.close(); });
  const a = await send(pool, get('/one'));
  const b = await send(pool, get('/two'));
  assert.deepEqual([a.status, a.body, a.endings], [200, '/one', 1]);
  assert.deepEqual([b.status, b.body, b.endings], [200, '/two', 1]);
  assert.equal(server.connections(), 1);
  assert.deepEqual(server.requests.map((r) => r.connection), [0, 0]);
  assert.deepEqual(pool.stats, { open: 1, idle: 1, waiting: 0, tunnels: 0 });
});

test('Connection: close from the server: the next request opens a new connection', async (t) => {
  const server = await rawServer((r) => r.socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'));
  const pool = makePool(server.port);
  t.after(async () => { await server.close(); await pool.close(); });
  const a = await send(pool, get('/a'));
  assert.deepEqual([a.status, a.body, a.completed], [200, 'ok', true]);
  await server.waitClosed(0); // the client closes it (the server did not)
  const b = await send(pool, get('/b'));
  assert.equal(b.body, 'ok');
  assert.equal(server.connections(), 2);
});

test('an HTTP/1.0 response without keep-alive is not reused', async (t) => {
  const server = await rawServer((r) => r.socket.write('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold'));
  const pool = makePool(server.port);
  t.after(async () => { await server.close(); await pool.close(); });
  const a = await send(pool, get('/a'));
  assert.deepEqual([a.status, a.body, a.completed], [200, 'old', true]);
  await server.waitClosed(0);
  const b = await send(pool, get('/b'));
  assert.equal(b.body, 'old');
  assert.equal(server.connections(), 2);
});

test('a server closing an idle connection: the next request simply uses a new one', async (t) => {
  const server = await rawServer((r) => {
    echoPath(r);
    setTimeout(() => r.socket.end(), 10);
  });
  const pool = makePool(server.port);
  t.after(async () => { await server.close(); await pool.close(); });
  await send(pool, get('/a'));
  await server.waitClosed(0);
  await until(() => pool.stats.open === 0, 1000, 'the pool to drop the closed connection');
  const b = await send(pool, get('/b'));
  assert.deepEqual([b.status, b.body, b.error], [200, '/b', undefined]);
  assert.equal(server.connections(), 2);
});

test('keep-alive expiry: after keepAliveTimeout idle, a request opens a new connection', async (t) => {
  const server = await rawServer(echoPath);
  // responseTimeout well above the idle time, so only the keep-alive limit can retire the connection
  const pool = makePool(server.port, { keepAliveTimeout: 100, responseTimeout: 5000 });
  t.after(async () => { await server.close(); await pool.close(); });
  await send(pool, get('/a'));
  const quick = await send(pool, get('/b'));
  assert.equal(quick.body, '/b');
  assert.equal(server.connections(), 1, 'reused while younger than the limit');
  await delay(200);
  const late = await send(pool, get('/c'));
  assert.equal(late.body, '/c');
  assert.equal(server.connections(), 2);
  assert.deepEqual(server.requests.map((r) => r.connection), [0, 0, 1]);
  await server.waitClosed(0); // the expired connection is closed, not leaked
});

test('connections: 2 with 5 concurrent requests: at most 2 sockets, the rest wait in arrival order', async (t) => {
  const server = await rawServer(() => undefined); // answers only when the test says so
  const pool = makePool(server.port, { connections: 2 });
  t.after(async () => { await server.close(); await pool.close(); });
  const handlers = [1, 2, 3, 4, 5].map(() => new Collector());
  handlers.forEach((h, i) => pool.dispatch(get(`/${i + 1}`), h));
  assert.deepEqual(pool.stats, { open: 2, idle: 0, waiting: 3, tunnels: 0 });
  await server.waitRequests(2);
  await delay(30);
  assert.equal(server.requests.length, 2, 'no third request while both connections are busy');
  assert.deepEqual(server.requests.map((r) => r.head.split(' ')[1]).sort(), ['/1', '/2']);
  const answer = (path: string) => echoPath(server.requests.find((r) => r.head.split(' ')[1] === path)!);
  answer('/1');
  await server.waitRequests(3);
  answer('/2');
  await server.waitRequests(4);
  answer('/3');
  await server.waitRequests(5);
  answer('/4');
  answer('/5');
  await Promise.all(handlers.map((h) => h.done));
  assert.deepEqual(server.requests.slice(2).map((r) => r.head.split(' ')[1]), ['/3', '/4', '/5'], 'queued requests are sent in arrival order');
  assert.deepEqual(handlers.map((h) => h.body), ['/1', '/2', '/3', '/4', '/5']);
  assert.ok(handlers.every((h) => h.completed && h.endings === 1));
  assert.equal(server.connections(), 2);
  assert.equal(server.maxOpen(), 2);
});

test('aborting a queued request calls onError, and it never reaches the server', async (t) => {
  const server = await rawServer(() => undefined);
  const pool = makePool(server.port, { connections: 1 });
  t.after(async () => { await server.close(); await pool.close(); });
  const first = new Collector();
  const queued = new Collector();
  const after = new Collector();
  pool.dispatch(get('/first'), first);
  pool.dispatch(get('/queued'), queued);
  pool.dispatch(get('/after'), after);
  assert.equal(pool.stats.waiting, 2);
  queued.abort!();
  await queued.done;
  assert.equal(queued.endings, 1);
  assert.ok(queued.error !== undefined);
  await server.waitRequests(1);
  echoPath(server.requests[0]!);
  await server.waitRequests(2);
  echoPath(server.requests[1]!);
  await Promise.all([first.done, after.done]);
  assert.deepEqual(server.requests.map((r) => r.head.split(' ')[1]), ['/first', '/after']);
  assert.deepEqual([first.body, after.body], ['/first', '/after']);
  assert.equal(queued.endings, 1, 'no second ending');
  assert.ok(!queued.events.includes('complete'));
});

test('aborting a queued request without a reason reports ERR_UPSTREAM_ABORTED', async (t) => {
  const server = await rawServer(() => undefined);
  const pool = makePool(server.port, { connections: 1 });
  t.after(async () => { await server.close(); await pool.close(); });
  const first = new Collector();
  const queued = new Collector();
  pool.dispatch(get('/first'), first);
  pool.dispatch(get('/queued'), queued);
  queued.abort!();
  await queued.done;
  assert.equal(queued.error?.code, 'ERR_UPSTREAM_ABORTED');
  await server.waitRequests(1);
  echoPath(server.requests[0]!);
  await first.done;
});

test('aborting a queued request with a reason reports that reason', async (t) => {
  const server = await rawServer(() => undefined);
  const pool = makePool(server.port, { connections: 1 });
  t.after(async () => { await server.close(); await pool.close(); });
  const first = new Collector();
  const queued = new Collector();
  pool.dispatch(get('/first'), first);
  pool.dispatch(get('/queued'), queued);
  const reason = Object.assign(new Error('client gone'), { code: 'CLIENT_GONE' });
  queued.abort!(reason);
  await queued.done;
  assert.equal(queued.error, reason);
  await server.waitRequests(1);
  echoPath(server.requests[0]!);
  await first.done;
  await delay(20);
  assert.equal(server.requests.length, 1);
});

test('aborting an in-flight request: onError ERR_UPSTREAM_ABORTED and the connection is closed', async (t) => {
  const server = await rawServer(() => undefined);
  const pool = makePool(server.port);
  t.after(async () => { await server.close(); await pool.close(); });
  const h = new Collector();
  pool.dispatch(get('/slow'), h);
  await server.waitRequests(1);
  h.abort!();
  await h.done;
  assert.equal(h.error?.code, 'ERR_UPSTREAM_ABORTED');
  await server.waitClosed(0);
  // a late answer must not reach anybody
  assert.equal(h.endings, 1);
});

test('close() resolves only after the in-flight request completes; dispatch after close is refused', async (t) => {
  const server = await rawServer(() => undefined);
  const pool = makePool(server.port);
  t.after(async () => { await server.close(); await pool.close(); });
  const inflight = new Collector();
  pool.dispatch(get('/inflight'), inflight);
  await server.waitRequests(1);
  let closed = false;
  const closing = pool.close().then(() => { closed = true; });
  await delay(30);
  assert.equal(closed, false, 'close() waits for the request in flight');
  const late = await send(pool, get('/late'));
  assert.equal(late.error?.code, 'ERR_UPSTREAM_POOL_CLOSED');
  assert.equal(late.endings, 1);
  echoPath(server.requests[0]!);
  await closing;
  assert.equal(inflight.completed, true);
  assert.equal(inflight.body, '/inflight');
  assert.equal(pool.stats.open, 0);
  await server.waitClosed(0);
  assert.equal(server.requests.length, 1);
});

test('close() on an idle pool closes its kept-alive connections and resolves', async (t) => {
  const server = await rawServer(echoPath);
  const pool = makePool(server.port);
  t.after(() => server.close());
  await send(pool, get('/a'));
  assert.equal(pool.stats.idle, 1);
  await pool.close();
  assert.equal(pool.stats.open, 0);
  await server.waitClosed(0);
});

test('a queued request takes the slot of a connection that failed', async (t) => {
  const server = await rawServer((r) => {
    if (r.head.includes(' /fail ')) r.socket.destroy();
    else echoPath(r);
  });
  const pool = makePool(server.port, { connections: 1 });
  t.after(async () => { await server.close(); await pool.close(); });
  const failing = new Collector();
  const queued = new Collector();
  pool.dispatch(get('/fail'), failing);
  pool.dispatch(get('/queued'), queued);
  await Promise.all([failing.done, queued.done]);
  assert.equal(failing.error?.code, 'ERR_UPSTREAM_CLOSED');
  assert.deepEqual([queued.status, queued.body], [200, '/queued']);
  assert.equal(server.connections(), 2);
  assert.equal(server.maxOpen(), 1);
});

test('close() lets queued requests finish too, then closes every connection', async (t) => {
  const server = await rawServer((r) => setTimeout(() => echoPath(r), 10));
  const pool = makePool(server.port, { connections: 1 });
  t.after(() => server.close());
  const handlers = [new Collector(), new Collector(), new Collector()];
  handlers.forEach((h, i) => pool.dispatch(get(`/${i}`), h));
  await pool.close();
  assert.deepEqual(handlers.map((h) => h.body), ['/0', '/1', '/2']);
  assert.equal(pool.stats.open, 0);
  await server.waitClosed(0);
});

test('a queued request that waits longer than queueTimeout ends with ERR_UPSTREAM_QUEUE_TIMEOUT and never reaches the server', async (t) => {
  const server = await rawServer(() => undefined);
  const pool = makePool(server.port, { connections: 1, queueTimeout: 150 });
  t.after(async () => { await server.close(); await pool.close(); });
  const first = new Collector();
  const queued = new Collector();
  pool.dispatch(get('/first'), first);
  pool.dispatch(get('/queued'), queued);
  const started = performance.now();
  await queued.done;
  assert.equal(queued.error?.code, 'ERR_UPSTREAM_QUEUE_TIMEOUT');
  assert.ok(performance.now() - started >= 140, 'not before the queue timeout');
  await server.waitRequests(1);
  echoPath(server.requests[0]!);
  await first.done;
  assert.equal(first.error, undefined, 'the request holding the connection is not disturbed');
  assert.equal(server.requests.length, 1, 'the timed-out request was never sent');
});

test('a queued request that gets a connection in time is not timed out later', async (t) => {
  const server = await rawServer(() => undefined);
  const pool = makePool(server.port, { connections: 1, queueTimeout: 200 });
  t.after(async () => { await server.close(); await pool.close(); });
  const first = new Collector();
  const queued = new Collector();
  pool.dispatch(get('/first'), first);
  pool.dispatch(get('/queued'), queued);
  await server.waitRequests(1);
  echoPath(server.requests[0]!);
  await first.done;
  await server.waitRequests(2);
  await new Promise((resolve) => setTimeout(resolve, 300)); // past the queue timeout, while the upstream thinks
  echoPath(server.requests[1]!);
  await queued.done;
  assert.equal(queued.error, undefined);
  assert.equal(queued.status, 200);
});
