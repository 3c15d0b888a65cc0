/**
 * Timeouts: an idle keep-alive client connection is closed after timeouts.client; a client that never
 * finishes its headers gets 408 after timeouts.http_request; an upstream that accepts but never answers
 * gives 504 after timeouts.server; an upstream that drops the connection without answering gives 502.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { rawRequest } from './support/raw-http.js';
import { startInProcess } from './support/in-process.js';
import { startUpstream } from './support/upstream.js';

const upstream = await startUpstream('a');
// accepts connections and reads, but never answers (or hangs up at once, for /drop)
const held: Socket[] = [];
const silent = createServer((socket) => {
  held.push(socket);
  socket.on('data', (d: Buffer) => {
    if (d.toString('latin1').includes(' /drop ')) socket.destroy();
  });
  socket.on('error', () => undefined);
});
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentPort = (silent.address() as AddressInfo).port;
after(async () => {
  held.forEach((s) => s.destroy());
  silent.close();
  await upstream.close();
});

const config = {
  timeouts: { client: '300ms', http_request: '400ms', server: '300ms' },
  frontends: { web: { bind: '127.0.0.1:0', routes: [{ path_prefix: '/silent', backend: 'S' }, { path_prefix: '/drop', backend: 'S' }, { path_prefix: '/', backend: 'A' }] } },
  backends: { A: { servers: { a: { address: upstream.address } } }, S: { retries: 0, passive: false, servers: { s: { address: `127.0.0.1:${silentPort}` } } } },
};

test('an idle keep-alive client connection is closed after timeouts.client', async () => {
  const gw = await startInProcess(config);
  try {
    const result = await rawRequest(gw.port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', { waitMs: 2_000 });
    assert.equal(result.status, 200);
    assert.ok(result.closed, 'closed by the gateway before the 2 s wait ended');
  } finally {
    await gw.close();
  }
});

test('incomplete request headers → 408 after timeouts.http_request', async () => {
  const gw = await startInProcess(config);
  try {
    const result = await rawRequest(gw.port, 'GET / HTTP/1.1\r\nHost: t\r\n', { waitMs: 2_000 });
    assert.equal(result.status, 408);
    assert.ok(result.closed);
  } finally {
    await gw.close();
  }
});

test('an upstream that never answers → 504; one that hangs up without answering → 502', async () => {
  const gw = await startInProcess(config);
  try {
    const slow = await request(`${gw.url}/silent`);
    assert.equal(slow.statusCode, 504);
    assert.match(await slow.body.text(), /Gateway Timeout/);
    const dropped = await request(`${gw.url}/drop`, { method: 'POST', body: 'x' });
    assert.equal(dropped.statusCode, 502);
    await dropped.body.dump();
  } finally {
    await gw.close();
  }
});
