/**
 * Without `tracing:` the request path holds `noTracing`: `start` gives no span and does not even read
 * the request's headers (the gateway's own server folds them lazily), so no per-request work or
 * allocation follows; with the block, a real span comes back. What reaches the upstream without tracing
 * is checked in traceparent-reaches-the-upstream.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatewayConfig } from '../../../../src/gateway/index.js';
import { createTracing, noTracing } from '../../../../src/gateway/observe/tracing/index.js';
import { createLogger } from '../../../../src/shared/logger.js';

const logger = createLogger({ level: 'silent' });
const base = { frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } }, backends: { app: { servers: { s: { address: '127.0.0.1:1' } } } } };

test('no tracing block: the named no-op, which gives no span and never reads the request', async () => {
  const tracing = await createTracing(parseGatewayConfig(base, '/tmp').tracing, logger);
  assert.equal(tracing, noTracing);
  const untouchable = {
    get headers(): never {
      throw new Error('the request headers were read with tracing off');
    },
  };
  assert.equal(tracing.start(untouchable), undefined);
});

test('a tracing block: a span per request, continuing a valid traceparent', async () => {
  const tracing = await createTracing(parseGatewayConfig({ ...base, tracing: { endpoint: 'http://127.0.0.1:1/v1/traces' } }, '/tmp').tracing, logger);
  assert.notEqual(tracing, noTracing);
  const span = tracing.start({ headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
  assert.ok(span !== undefined);
  assert.equal(span.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.ok(span.isRecording());
  await tracing.shutdown(); // nothing ended, so nothing to export
});
