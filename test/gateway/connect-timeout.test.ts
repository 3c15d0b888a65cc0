/**
 * Connect timeout on loopback: a socket that listens with a backlog of 1 and never accepts (a Node child
 * process whose main thread sleeps in Atomics.wait right after listening) has its accept queue filled by
 * a couple of connections, after which the kernel drops further SYNs, so the gateway's connect attempt times out. A GET is retried on another server; with nowhere else to go,
 * the client gets 504.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startInProcess } from './support/in-process.js';
import { startBlackhole, type Blackhole } from './support/blackhole.js';
import { startUpstream } from './support/upstream.js';

const upstream = await startUpstream('good');
let hole: Blackhole | undefined;
after(async () => {
  hole?.close();
  await upstream.close();
});

test('a connect timeout answers 504, and a GET is retried on another server first', async () => {
  hole = await startBlackhole();
  const port = hole.port;
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
