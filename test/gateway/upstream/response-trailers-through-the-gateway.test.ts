/**
 * Issue 15 item 2 end to end, over real sockets through the gateway (one upstream connection, so two clients
 * share it): a backend's response trailers reach neither the client they were meant for nor the next client
 * on that pooled connection; a trailer llhttp refuses ends the client's response as a visibly cut one (the
 * head and the body bytes received, never the last chunk), not a connection closed with nothing sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawServer, type RawRequest } from './support.js';
import { rawRequest } from '../support/raw-http.js';
import { startInProcess } from '../support/in-process.js';

const path = (r: RawRequest) => r.head.split(' ')[1] ?? '';

async function gatewayFor(t: import('node:test').TestContext, respond: (r: RawRequest) => void) {
  const upstream = await rawServer(respond);
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { max_connections: 1, servers: { a: { address: `127.0.0.1:${upstream.port}` } } } },
  });
  t.after(async () => { await gw.close(); await upstream.close(); });
  return { upstream, gw };
}

test('trailers of client A\'s response never show up in client B\'s response on the same upstream connection', async (t) => {
  const { upstream, gw } = await gatewayFor(t, (r) => {
    if (path(r) === '/a') r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nA!\r\n0\r\nX-T: secret-of-a\r\nSet-Cookie: session=client-a\r\n\r\n');
    else r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nB!');
  });
  const a = await rawRequest(gw.port, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { waitMs: 2000 });
  const b = await rawRequest(gw.port, 'GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { waitMs: 2000 });
  assert.equal(upstream.connections(), 1, 'both requests went over one pooled upstream connection');
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.ok(b.text.endsWith('B!'), b.text);
  for (const leaked of ['secret-of-a', 'session=client-a']) {
    assert.ok(!b.text.includes(leaked), `client B got ${leaked}: ${JSON.stringify(b.text)}`);
    assert.ok(!a.text.split('\r\n\r\n')[0]?.includes(leaked), `a trailer was merged into A's head: ${JSON.stringify(a.text)}`);
  }
});

test('a trailer llhttp refuses: the client gets the head and the body bytes, then a cut connection (no last chunk)', async (t) => {
  const { gw } = await gatewayFor(t, (r) => r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nBad Trailer: x\r\n\r\n'));
  const a = await rawRequest(gw.port, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 2000 });
  assert.equal(a.status, 200, `nothing, or not the upstream's head, reached the client: ${JSON.stringify(a.text)}`);
  assert.ok(a.text.includes('hello'), a.text);
  assert.ok(!a.text.endsWith('0\r\n\r\n'), `the cut body looks complete: ${JSON.stringify(a.text)}`);
  assert.equal(a.closed, true);
});
