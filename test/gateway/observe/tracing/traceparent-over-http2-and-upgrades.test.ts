/**
 * The trace context goes through the one admission pipeline, so HTTP/2 requests (TLS frontend, ALPN
 * h2) and upgrades (the gateway's own server and `server: node`) get it as HTTP/1.1 requests do: the
 * client's valid traceparent continued with the gateway's span as parent, an invalid one replaced.
 * Their spans are exported to a real OTLP/HTTP receiver: HTTP/2 as protocol 2 over https, an upgrade
 * with its 101 once the tunnel closes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import type { Echo } from '../../support/upstream.js';
import { startUpstream } from '../../support/upstream.js';
import { startInProcess } from '../../support/in-process.js';
import { rawRequest } from '../../support/raw-http.js';
import { startRecordingBackend } from '../../forward/support/recording-backend.js';
import { createPki } from '../../tls/support/pki.js';
import { until } from '../../auth/support.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { CLIENT_SPAN_ID, CLIENT_TRACE_ID, CLIENT_TRACEPARENT, once, parseTraceparent, spanFor, tracedConfig } from './support/traced-gateway.js';

function h2Get(session: ReturnType<typeof connect>, path: string, headers: Record<string, string>): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'GET', ':path': path, ...headers });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve(JSON.parse(text) as Echo));
    stream.on('error', reject);
  });
}

test('HTTP/2 over TLS: the traceparent is continued or replaced, and the span says protocol 2 over https', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const cert = pki.issue('site', ['localhost']);
  const receiver = await startOtlpReceiver();
  const upstream = await startUpstream('app');
  const gateway = await startInProcess(tracedConfig(receiver.endpoint, upstream.address, { tls: { cert: cert.certFile, key: cert.keyFile } }));
  const session = connect(`https://localhost:${gateway.port}`, { ca: pki.ca.cert });
  const closeGateway = once(gateway.close);
  t.after(async () => {
    session.close();
    await closeGateway();
    await upstream.close();
    await receiver.close();
    pki.close();
  });
  const continued = await h2Get(session, '/h2/continued', { traceparent: CLIENT_TRACEPARENT, tracestate: 'vendor=abc' });
  assert.equal(session.alpnProtocol, 'h2');
  const sent = parseTraceparent(continued.headers.traceparent);
  assert.equal(sent.traceId, CLIENT_TRACE_ID);
  assert.notEqual(sent.parentId, CLIENT_SPAN_ID);
  assert.equal(continued.headers.tracestate, 'vendor=abc');
  const invalid = `00-${CLIENT_TRACE_ID}-${'0'.repeat(16)}-01`;
  const replaced = await h2Get(session, '/h2/replaced', { traceparent: invalid });
  const fresh = parseTraceparent(replaced.headers.traceparent);
  assert.notEqual(fresh.traceId, CLIENT_TRACE_ID);
  assert.ok(!replaced.rawHeaders.includes(invalid), 'the invalid traceparent is not forwarded');
  session.close();
  await closeGateway();
  const spans = await receiver.waitForSpans(2);
  const span = spanFor(spans, '/h2/continued');
  assert.equal(span.traceId, CLIENT_TRACE_ID);
  assert.equal(span.parentSpanId, CLIENT_SPAN_ID);
  assert.equal(span.spanId, sent.parentId);
  assert.equal(span.attributes['network.protocol.version'], '2');
  assert.equal(span.attributes['url.scheme'], 'https');
  assert.equal(span.attributes['http.response.status_code'], 200);
  assert.equal(spanFor(spans, '/h2/replaced').parentSpanId, '');
});

const UPGRADE = 'GET /ws/chat HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';

for (const server of ['gatehouse', 'node'] as const) {
  test(`server: ${server}: an upgrade carries the gateway's traceparent to the upstream, and its span ends with the tunnel`, async (t) => {
    const backend = await startRecordingBackend((_head, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (data: string) => socket.write(`echo:${data}`));
      return undefined;
    });
    const receiver = await startOtlpReceiver();
    const gateway = await startInProcess(tracedConfig(receiver.endpoint, `127.0.0.1:${backend.port}`, { server }, { access_log: true }));
    const closeGateway = once(gateway.close);
    t.after(async () => {
      await closeGateway();
      await backend.close();
      await receiver.close();
    });
    const result = await rawRequest(gateway.port, `${UPGRADE}traceparent: ${CLIENT_TRACEPARENT}\r\n\r\nping`, { waitMs: 800 });
    assert.match(result.text, /^HTTP\/1\.1 101 /);
    assert.match(result.text, /echo:ping/, 'the tunnel carries bytes');
    const head = backend.received();
    const lines = head.slice(0, head.indexOf('\r\n\r\n')).split('\r\n');
    const traceparents = lines.filter((line) => /^traceparent:/i.test(line));
    assert.equal(traceparents.length, 1, `one traceparent upstream: ${lines.join(' | ')}`);
    const sent = parseTraceparent((traceparents[0] as string).slice('traceparent:'.length).trim());
    assert.equal(sent.traceId, CLIENT_TRACE_ID);
    assert.notEqual(sent.parentId, CLIENT_SPAN_ID);
    // the client closed its side (rawRequest): once the tunnel is over, its access line is written, after its span ended
    await until(() => gateway.logs.some((line) => line.log === 'access' && line.path === '/ws/chat'), 'the tunnel to end');
    await closeGateway();
    const span = spanFor(await receiver.waitForSpans(1), '/ws/chat');
    assert.equal(span.traceId, CLIENT_TRACE_ID);
    assert.equal(span.parentSpanId, CLIENT_SPAN_ID);
    assert.equal(span.spanId, sent.parentId);
    assert.equal(span.attributes['gatehouse.upgrade'], true);
    assert.equal(span.attributes['http.response.status_code'], 101);
    assert.equal(span.attributes['gatehouse.server'], 's1');
  });
}
