/**
 * `timeouts.keep_alive` (HAProxy's `timeout http-keep-alive`) is the idle time a client connection is kept
 * between requests, announced in `Keep-Alive: timeout=N`, separately from `timeouts.client`; and
 * `keep_alive: false` on a frontend (HAProxy's `option httpclose`) closes every HTTP/1.x connection after
 * its response. Real sockets, both HTTP/1.1 servers (the gateway's own and node:http's).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { startInProcess } from './support/in-process.js';
import { startUpstream } from './support/upstream.js';

const app = await startUpstream('app');
after(() => app.close());

function get(url: string, agent: Agent): Promise<{ connection: string | undefined; keepAlive: string | undefined; socketClosed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const socket = res.socket;
      const socketClosed = new Promise<void>((r) => socket.once('close', () => r()));
      res.resume();
      res.on('end', () => resolve({ connection: res.headers.connection, keepAlive: res.headers['keep-alive'] as string | undefined, socketClosed }));
    });
    req.on('error', reject);
    req.end();
  });
}

for (const server of ['gatehouse', 'node'] as const) {
  test(`${server} server: keep_alive announces timeouts.keep_alive; keep_alive: false closes after each response`, async () => {
    const kept = await startInProcess({
      timeouts: { client: '30s', keep_alive: '3s' },
      frontends: { web: { bind: '127.0.0.1:0', server, default_backend: 'app' } },
      backends: { app: { servers: { a: { address: app.address } } } },
    });
    const closing = await startInProcess({
      frontends: { web: { bind: '127.0.0.1:0', server, keep_alive: false, default_backend: 'app' } },
      backends: { app: { servers: { a: { address: app.address } } } },
    });
    const agent = new Agent({ keepAlive: true });
    try {
      const open = await get(`${kept.url}/x`, agent);
      assert.equal(open.keepAlive, 'timeout=3', 'the keep-alive idle time, not timeouts.client');
      assert.notEqual(open.connection, 'close');
      const closed = await get(`${closing.url}/x`, agent);
      assert.equal(closed.connection, 'close');
      await closed.socketClosed;
    } finally {
      agent.destroy();
      await kept.close();
      await closing.close();
    }
  });
}
