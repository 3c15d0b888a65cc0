/**
 * `reuse_port` (default true): with several workers, each worker listens on its own SO_REUSEPORT socket,
 * so the kernel hands new connections to the workers directly, not through the primary. Shown with the
 * kernel's own table (/proc/net/tcp: how many sockets listen on the port) and by stopping the primary
 * (SIGSTOP): new connections are still accepted and answered, by both workers. `reuse_port: false` keeps
 * node:cluster's round robin: one listening socket, the primary's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { freePort } from '../auth/e2e/processes.js';
import { startGatewayProcess, waitForWorkers } from '../support/gateway-process.js';
import { startUpstream } from '../support/upstream.js';

/** Sockets in LISTEN state on 127.0.0.1:port, from the kernel's table. */
function listeningSockets(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1] === local && f[3] === '0A').length;
}

const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const nodeHasReusePort = major > 22 || (major === 22 && minor >= 12);

async function twoWorkers(port: number, extra: string) {
  const upstream = await startUpstream('a');
  const gateway = await startGatewayProcess(`
workers: 2
${extra}
frontends:
  web: { bind: "127.0.0.1:${port}", default_backend: app }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`);
  const workers = await waitForWorkers(gateway, 2);
  return { upstream, gateway, workers };
}

test('each worker listens on its own socket, so connections do not wait for the primary', { skip: !nodeHasReusePort && 'needs Node 22.12+ (net reusePort)' }, async (t) => {
  const port = await freePort();
  const { upstream, gateway, workers } = await twoWorkers(port, '');
  t.after(async () => {
    gateway.child.kill('SIGCONT');
    await gateway.stop('SIGKILL');
    await upstream.close();
  });
  assert.equal(listeningSockets(port), 2, 'two listening sockets: one per worker');

  gateway.child.kill('SIGSTOP'); // the primary: with round robin, no new connection would be handed out now
  for (let i = 0; i < 40; i++) {
    // a new connection each time (reset), answered while the primary is stopped
    const response = await request(`http://127.0.0.1:${port}/`, { reset: true, headersTimeout: 5_000 });
    assert.equal(response.statusCode, 200);
    await response.body.dump();
  }
  gateway.child.kill('SIGCONT');
  // each worker writes its own access log lines (with its pid)
  const access = () => gateway.lines.filter((l) => l.log === 'access');
  await gateway.waitForLine(() => access().length >= 40);
  const servedBy = new Set(access().map((l) => l.pid));
  assert.equal(servedBy.size, 2, 'the kernel spread the new connections over both workers');
  assert.deepEqual(new Set([...servedBy].map((pid) => workers.has(pid))), new Set([true]));
  assert.equal(await gateway.stop('SIGTERM'), 0);
});

test('reuse_port: false keeps one listening socket, the primary\'s (node:cluster round robin)', async (t) => {
  const port = await freePort();
  const { upstream, gateway } = await twoWorkers(port, 'reuse_port: false');
  t.after(async () => {
    await gateway.stop('SIGKILL');
    await upstream.close();
  });
  assert.equal(listeningSockets(port), 1);
  const response = await request(`http://127.0.0.1:${port}/`, { reset: true });
  assert.equal(response.statusCode, 200);
  await response.body.dump();
});

test('reuse_port is checked with its key path', async () => {
  const { parseGatewayConfig } = await import('../../../src/gateway/index.js');
  assert.throws(() => parseGatewayConfig({ reuse_port: 'yes', frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } }, backends: { app: { servers: { a: { address: '127.0.0.1:1' } } } } }, process.cwd()), /reuse_port: expected/);
});
