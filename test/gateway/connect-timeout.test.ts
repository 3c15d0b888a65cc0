/**
 * Connect timeout on loopback: a socket that listens with a backlog of 1 and never accepts (a Node child
 * process whose main thread sleeps in Atomics.wait right after listening) has its accept queue filled by
 * a couple of connections, after which the kernel drops further SYNs, so the gateway's connect attempt times out. A GET is retried on another server; with nowhere else to go,
 * the client gets 504.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { startInProcess } from './support/in-process.js';
import { startUpstream } from './support/upstream.js';

const SCRIPT = `const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000));
});`;

const held: Socket[] = [];
let sleeper: ChildProcess | undefined;
const upstream = await startUpstream('good');
after(async () => {
  held.forEach((s) => s.destroy());
  sleeper?.kill('SIGKILL');
  await upstream.close();
});

/** Starts the never-accepting listener and fills its accept queue; resolves with its port. */
async function blackhole(): Promise<number> {
  sleeper = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => sleeper!.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  for (let i = 0; i < 6; i++) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      held.push(socket);
      socket.on('error', () => resolve(false));
      const timer = setTimeout(() => resolve(false), 300);
      socket.once('connect', () => (clearTimeout(timer), resolve(true)));
    });
    if (!connected) break; // the queue is full: SYNs are dropped from now on
  }
  return port;
}

test('a connect timeout answers 504, and a GET is retried on another server first', async () => {
  const port = await blackhole();
  const gw = await startInProcess({
    timeouts: { connect: '300ms', server: '2s' },
    frontends: { web: { bind: '127.0.0.1:0', routes: [{ path_prefix: '/alone', backend: 'H' }, { path_prefix: '/', backend: 'M' }] } },
    backends: {
      H: { retries: 0, passive: false, servers: { hole: { address: `127.0.0.1:${port}` } } },
      M: { passive: false, balance: 'roundrobin', servers: { hole: { address: `127.0.0.1:${port}` }, good: { address: upstream.address } } },
    },
  });
  try {
    const alone = await request(`${gw.url}/alone`);
    assert.equal(alone.statusCode, 504);
    assert.match(await alone.body.text(), /Gateway Timeout/);
    for (let i = 0; i < 2; i++) {
      const mixed = await request(`${gw.url}/x`);
      assert.equal(mixed.statusCode, 200, 'the GET that met the black hole was retried on the good server');
      assert.match(await mixed.body.text(), /"server":"good"/);
    }
    assert.match(await gw.gateway.metrics.registry.metrics(), /gatehouse_upstream_errors_total\{backend="M",server="hole",reason="ERR_UPSTREAM_CONNECT_TIMEOUT"\} 1/);
  } finally {
    await gw.close();
  }
});
