/**
 * With `tracing:`, every proxied HTTP/1.1 request reaches its upstream with a W3C traceparent naming
 * the gateway's span, on the gateway's own server and on `server: node`:
 *   - a client's valid traceparent is continued: same trace id, the gateway's span as parent, the
 *     client's tracestate passed on; the exported span has the client's span as its parent;
 *   - without one, a new trace starts (the exported span is a root);
 *   - an invalid one (and its tracestate) is replaced by a new trace, never forwarded.
 * Spans arrive at a real OTLP/HTTP receiver; the upstream is a real echo server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstream } from '../../support/upstream.js';
import { startInProcess } from '../../support/in-process.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { CLIENT_SPAN_ID, CLIENT_TRACE_ID, CLIENT_TRACEPARENT, echoOf, INVALID_TRACEPARENTS, once, parseTraceparent, spanFor, tracedConfig } from './support/traced-gateway.js';

for (const server of ['gatehouse', 'node'] as const) {
  test(`server: ${server}: a valid traceparent is continued, an absent one starts a trace, an invalid one is replaced`, async (t) => {
    const receiver = await startOtlpReceiver();
    const upstream = await startUpstream('app');
    const gateway = await startInProcess(tracedConfig(receiver.endpoint, upstream.address, { server }));
    const closeGateway = once(gateway.close);
    t.after(async () => {
      await closeGateway();
      await upstream.close();
      await receiver.close();
    });

    const continued = await echoOf(gateway.port, '/continued', { traceparent: CLIENT_TRACEPARENT, tracestate: 'vendor=abc,other=1' });
    const fromClient = parseTraceparent(continued.headers.traceparent);
    assert.equal(fromClient.traceId, CLIENT_TRACE_ID, 'the client trace goes on');
    assert.notEqual(fromClient.parentId, CLIENT_SPAN_ID, "the upstream's parent is the gateway's span, not the client's");
    assert.equal(fromClient.flags, '01', "the client's sampled flag is followed (parent-based sampling)");
    assert.equal(continued.headers.tracestate, 'vendor=abc,other=1');

    const unsampled = await echoOf(gateway.port, '/unsampled', { traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-00` });
    const notSampled = parseTraceparent(unsampled.headers.traceparent);
    assert.equal(notSampled.traceId, CLIENT_TRACE_ID);
    assert.notEqual(notSampled.parentId, CLIENT_SPAN_ID);
    assert.equal(notSampled.flags, '00', "the client's not-sampled flag is followed too");

    const started = await echoOf(gateway.port, '/started');
    const fresh = parseTraceparent(started.headers.traceparent);
    assert.notEqual(fresh.traceId, CLIENT_TRACE_ID);
    assert.equal(started.headers.tracestate, undefined);

    const replaced = new Map<string, string>();
    for (const { why, value } of INVALID_TRACEPARENTS) {
      const path = `/invalid/${replaced.size}`;
      const echo = await echoOf(gateway.port, path, { traceparent: value, tracestate: 'vendor=forged' });
      const sent = parseTraceparent(echo.headers.traceparent);
      assert.notEqual(sent.traceId, CLIENT_TRACE_ID, `${why}: a new trace, not the client's`);
      const raw = echo.rawHeaders.join('\n');
      for (const forged of [value].flat()) assert.ok(!raw.includes(forged), `${why}: the invalid traceparent is not forwarded`);
      assert.equal(echo.headers.tracestate, undefined, `${why}: the tracestate of an invalid traceparent is dropped`);
      replaced.set(path, sent.traceId);
    }

    await closeGateway(); // exports what is queued
    const spans = await receiver.waitForSpans(2 + INVALID_TRACEPARENTS.length);
    assert.ok(receiver.contentTypes.every((type) => type.startsWith('application/json')), 'OTLP/HTTP with JSON');
    const continuedSpan = spanFor(spans, '/continued');
    assert.equal(continuedSpan.traceId, CLIENT_TRACE_ID);
    assert.equal(continuedSpan.parentSpanId, CLIENT_SPAN_ID, "the gateway's span is a child of the client's");
    assert.equal(continuedSpan.spanId, fromClient.parentId, 'the upstream was told the exported span as its parent');
    assert.equal(continuedSpan.kind, 2, 'a SERVER span');
    const startedSpan = spanFor(spans, '/started');
    assert.equal(startedSpan.parentSpanId, '', 'a root span');
    assert.equal(startedSpan.traceId, fresh.traceId);
    assert.equal(startedSpan.spanId, fresh.parentId);
    for (const [path, traceId] of replaced) {
      const span = spanFor(spans, path);
      assert.equal(span.parentSpanId, '', `${path}: a root span`);
      assert.equal(span.traceId, traceId);
    }
    assert.equal(spans.filter((s) => s.attributes['url.path'] === '/unsampled').length, 0, 'a span the client did not sample is not exported');
    assert.equal(startedSpan.resource['service.name'], 'gatehouse-test');
    assert.equal(startedSpan.resource['process.pid'], process.pid);
  });
}

test('sample_ratio 0 without parent_based: no span is exported, yet the upstream still gets a traceparent (not sampled) in the client trace', async (t) => {
  const receiver = await startOtlpReceiver();
  const upstream = await startUpstream('app');
  const config = tracedConfig(receiver.endpoint, upstream.address);
  const gateway = await startInProcess({ ...config, tracing: { endpoint: receiver.endpoint, sample_ratio: 0, parent_based: false } });
  const closeGateway = once(gateway.close);
  t.after(async () => {
    await closeGateway();
    await upstream.close();
    await receiver.close();
  });
  const echo = await echoOf(gateway.port, '/ratio-zero', { traceparent: CLIENT_TRACEPARENT });
  const sent = parseTraceparent(echo.headers.traceparent);
  assert.equal(sent.traceId, CLIENT_TRACE_ID);
  assert.notEqual(sent.parentId, CLIENT_SPAN_ID);
  assert.equal(sent.flags, '00', 'the gateway did not sample it, whatever the client asked');
  await closeGateway();
  assert.deepEqual(receiver.spans, [], 'nothing exported');
});

test('without tracing: the client trace headers pass through untouched and nothing is added', async (t) => {
  const upstream = await startUpstream('app');
  const gateway = await startInProcess({ access_log: false, frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } }, backends: { app: { servers: { s1: { address: upstream.address } } } } });
  t.after(async () => {
    await gateway.close();
    await upstream.close();
  });
  const passed = await echoOf(gateway.port, '/passed', { traceparent: CLIENT_TRACEPARENT, tracestate: 'vendor=abc' });
  assert.equal(passed.headers.traceparent, CLIENT_TRACEPARENT);
  assert.equal(passed.headers.tracestate, 'vendor=abc');
  const none = await echoOf(gateway.port, '/none');
  assert.equal(none.headers.traceparent, undefined);
});
