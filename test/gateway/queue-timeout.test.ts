/**
 * `timeouts.queue` (HAProxy's `timeout queue`): when a server already has `max_connections` busy, a request
 * waits at most this long for one. Then it answers 503, or, being idempotent and bodiless, it goes to another
 * server first. A full queue says the server is busy, not broken: passive health does not count it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startInProcess } from './support/in-process.js';
import { startUpstream } from './support/upstream.js';

test('a full pool answers 503 after timeouts.queue; with another server the request goes there instead', async (t) => {
  const busy = await startUpstream('busy');
  const spare = await startUpstream('spare');
  t.after(async () => { await busy.close(); await spare.close(); });
  const alone = await startInProcess({
    timeouts: { queue: '200ms' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'A' } },
    backends: { A: { max_connections: 1, passive: { failures: 1 }, servers: { busy: { address: busy.address } } } },
  });
  t.after(() => alone.close());
  const gw = await startInProcess({
    timeouts: { queue: '200ms' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'B' } },
    backends: { B: { max_connections: 1, balance: 'roundrobin', servers: { busy: { address: busy.address }, spare: { address: spare.address } } } },
  });
  t.after(() => gw.close());

  // backend A: one connection, held by a slow request; the next request waits 200 ms, then 503
  const holding = request(`${alone.url}/slow/800`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  const queued = await request(`${alone.url}/queued`);
  assert.equal(queued.statusCode, 503);
  assert.match(await queued.body.text(), /Service Unavailable: every connection to backend "A" stayed busy/);
  assert.ok(performance.now() - started >= 190, 'answered after the queue timeout, not before');
  const held = await holding;
  assert.equal(held.statusCode, 200, 'the request holding the connection finished normally');
  await held.body.dump();
  const ok = await request(`${alone.url}/after`);
  assert.equal(ok.statusCode, 200, 'passive health (failures: 1) did not take the busy server out');
  await ok.body.dump();

  // backend B: round robin sends the first request to "busy" and holds its only connection
  const heldB = request(`${gw.url}/slow/800`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const spareBefore = spare.requests;
  const moved = await Promise.all([request(`${gw.url}/a`), request(`${gw.url}/b`)]);
  for (const r of moved) assert.equal(r.statusCode, 200);
  const servers = await Promise.all(moved.map(async (r) => (JSON.parse(await r.body.text()) as { server: string }).server));
  assert.deepEqual(servers.sort(), ['spare', 'spare'], 'the request queued behind busy was retried on spare');
  assert.equal(spare.requests - spareBefore, 2);
  await (await heldB).body.dump();
  const metrics = await alone.gateway.metrics.registry.metrics();
  assert.match(metrics, /gatehouse_upstream_errors_total\{backend="A",server="busy",reason="ERR_UPSTREAM_QUEUE_TIMEOUT"\} 1/);
});
