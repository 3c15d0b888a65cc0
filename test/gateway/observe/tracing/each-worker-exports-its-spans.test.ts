/**
 * `workers: 2`: each worker traces the requests it serves and exports its own spans (the primary serves
 * none); SIGTERM drains each worker, which exports what it still holds before exiting. The spans name
 * their worker in the `process.pid` resource attribute. A reload, likewise, exports what the old config
 * holds once its requests are done, and closes its keep-alive connection to the collector (one left
 * open per reload would be a slow descriptor leak).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatewayConfig } from '../../../../src/gateway/index.js';
import { startGatewayProcess, waitForWorkers } from '../../support/gateway-process.js';
import { startInProcess } from '../../support/in-process.js';
import { startUpstream } from '../../support/upstream.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { echoOf, parseTraceparent, tracedConfig } from './support/traced-gateway.js';
import { until } from '../../auth/support.js';

test('two workers: both export their spans, each span from the worker that served it', async (t) => {
  const receiver = await startOtlpReceiver();
  const upstream = await startUpstream('app');
  // a long export interval: the spans arrive because SIGTERM makes each worker export before it exits
  const gateway = await startGatewayProcess(`
workers: 2
access_log: true
tracing: { endpoint: "${receiver.endpoint}", export_interval: 1h }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`);
  t.after(async () => {
    await gateway.stop('SIGKILL');
    await upstream.close();
    await receiver.close();
  });
  const workers = await waitForWorkers(gateway, 2);
  const traceIds = new Set<string>();
  // one connection per request: the primary hands new connections to the workers in turn
  for (let i = 0; i < 8; i++) traceIds.add(parseTraceparent((await echoOf(gateway.port('web'), `/r/${i}`)).headers.traceparent).traceId);
  assert.equal(traceIds.size, 8, 'each request its own trace');
  await gateway.waitForLine((l) => l.path === '/r/7');
  const served = new Set(gateway.lines.filter((l) => typeof l.path === 'string' && (l.path as string).startsWith('/r/')).map((l) => l.pid));
  assert.equal(receiver.spans.length, 0, 'nothing exported before the interval or the drain');
  assert.equal(await gateway.stop('SIGTERM'), 0);
  const spans = await receiver.waitForSpans(8);
  assert.deepEqual(new Set(spans.map((s) => s.traceId)), traceIds);
  const exporters = new Set(spans.map((s) => s.resource['process.pid']));
  assert.deepEqual(exporters, served, 'each span comes from the worker whose access log has the request');
  assert.equal(served.size, 2, 'both workers served requests');
  for (const pid of exporters) assert.ok(workers.has(pid), `pid ${String(pid)} is a worker`);
});

test('a reload exports the spans the old config still holds, without waiting for the export interval, and closes its connection to the collector', async (t) => {
  const receiver = await startOtlpReceiver();
  const upstream = await startUpstream('app');
  const config = tracedConfig(receiver.endpoint, upstream.address);
  const slow = { ...config, tracing: { endpoint: receiver.endpoint, export_interval: '1h' } };
  const gateway = await startInProcess(slow);
  t.after(async () => {
    await gateway.close();
    await upstream.close();
    await receiver.close();
  });
  const before = parseTraceparent((await echoOf(gateway.port, '/before-reload')).headers.traceparent);
  assert.equal(receiver.spans.length, 0);
  await gateway.gateway.reload(parseGatewayConfig(slow, process.cwd()));
  const [span] = await receiver.waitForSpans(1);
  assert.equal(span?.traceId, before.traceId);
  assert.equal(span?.attributes['url.path'], '/before-reload');
  await until(() => receiver.openConnections() === 0, "the old config's exporter connection to close");
  // the new config traces too
  const after = parseTraceparent((await echoOf(gateway.port, '/after-reload')).headers.traceparent);
  assert.notEqual(after.traceId, before.traceId);
});
