/**
 * `frontends.<name>.max_connections` (HAProxy's frontend `maxconn`): with the limit reached, a new client
 * connection is closed as it is accepted, without an answer; once a connection closes, a new one is
 * served. Both HTTP/1.1 servers; real sockets. Also the translation of a frontend's `maxconn`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startInProcess } from './support/in-process.js';
import { startUpstream } from './support/upstream.js';
import { translateHaproxy } from '../../src/gateway/config/haproxy/index.js';

const app = await startUpstream('app');
after(() => app.close());

/** Sends a GET on a new connection; resolves with the status line, or '' when the server closed it unanswered. */
function exchange(port: number, keep: Socket[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n\r\n')) {
        keep.push(socket);
        resolve(data.split('\r\n')[0] as string);
      }
    });
    socket.on('error', () => resolve(''));
    socket.on('close', () => resolve(''));
    socket.write('GET /x HTTP/1.1\r\nHost: test\r\n\r\n');
  });
}

for (const server of ['gatehouse', 'node'] as const) {
  test(`${server} server: max_connections closes a connection over the limit, and serves again once one closes`, async () => {
    const gw = await startInProcess({
      frontends: { web: { bind: '127.0.0.1:0', server, max_connections: 1, default_backend: 'app' } },
      backends: { app: { servers: { a: { address: app.address } } } },
    });
    const open: Socket[] = [];
    try {
      assert.equal(await exchange(gw.port, open), 'HTTP/1.1 200 OK');
      assert.equal(await exchange(gw.port, open), '', 'the second connection is closed unanswered while the first is open');
      open.shift()?.destroy();
      let status = '';
      for (let i = 0; i < 50 && status === ''; i++) {
        status = await exchange(gw.port, open);
        if (status === '') await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(status, 'HTTP/1.1 200 OK', 'served again once the first closed');
    } finally {
      for (const s of open) s.destroy();
      await gw.close();
    }
  });
}

test("global maxconn is each frontend's max_connections unless it has its own; the total is not capped (warned)", () => {
  const t = translateHaproxy('global\n  maxconn 2000\ndefaults\n  mode http\nfrontend f\n  bind :80\n  default_backend b\nfrontend g\n  bind :81\n  maxconn 50\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n', 'g.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual([(t.config.frontends as any).f.max_connections, (t.config.frontends as any).g.max_connections], [2000, 50]);
  assert.match(t.warnings.join('\n'), /g\.cfg:2: global maxconn 2000: each frontend accepts at most 2000 connections .*the total over all frontends is not capped/);
});

test("a frontend's maxconn translates to max_connections, with the difference warned", () => {
  const t = translateHaproxy('defaults\n  mode http\nfrontend f\n  bind :80\n  maxconn 500\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n', 'm.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.equal((t.config.frontends as any).f.max_connections, 500);
  assert.match(t.warnings.join('\n'), /m\.cfg:5: maxconn: a connection over the limit is closed as it is accepted/);
});
