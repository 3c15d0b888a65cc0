/**
 * A collector that cannot be reached costs the requests nothing: they are answered as usual, and the
 * worker logs each batch it could not export with ERR_TRACE_EXPORT (the SDK alone would report it only
 * to OpenTelemetry's silent diagnostic logger).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closedPort, startUpstream } from '../../support/upstream.js';
import { startInProcess } from '../../support/in-process.js';
import { until } from '../../auth/support.js';
import { echoOf, parseTraceparent, tracedConfig } from './support/traced-gateway.js';

test('an unreachable collector: requests are answered, the failed export is logged with its code', async (t) => {
  const upstream = await startUpstream('app');
  const endpoint = `http://127.0.0.1:${await closedPort()}/v1/traces`;
  const config = tracedConfig(endpoint, upstream.address);
  const gateway = await startInProcess({ ...config, tracing: { endpoint, export_interval: '20ms', export_timeout: '300ms' } });
  t.after(async () => {
    await gateway.close();
    await upstream.close();
  });
  for (let i = 0; i < 3; i++) parseTraceparent((await echoOf(gateway.port, `/r/${i}`)).headers.traceparent);
  await until(() => gateway.logs.some((line) => line.code === 'ERR_TRACE_EXPORT'), 'the failed export to be logged');
  const line = gateway.logs.find((l) => l.code === 'ERR_TRACE_EXPORT') as Record<string, unknown>;
  assert.equal(line.level, 40, 'a warning');
  assert.equal(line.endpoint, endpoint);
  assert.equal(typeof line.spans, 'number');
});
