/**
 * The admin listener: /healthz, Prometheus /metrics (requests by frontend/backend/status, latency
 * histogram, server up/down, open connections) and the HTML stats page, with every value escaped.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { escapeHtml, renderStatsPage } from '../../src/gateway/index.js';
import { startUpstream } from './support/upstream.js';
import { startInProcess } from './support/in-process.js';

const a = await startUpstream('a');
after(() => a.close());

test('healthz, metrics and the stats page on the admin port', async () => {
  const gw = await startInProcess({
    admin: { bind: '127.0.0.1:0' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', routes: [{ host: 'api.test', path_prefix: '/v1', backend: 'app' }] } },
    backends: { app: { servers: { a: { address: a.address }, gone: { address: '127.0.0.1:1' } } } },
  });
  try {
    const admin = `http://127.0.0.1:${gw.gateway.admin!.port}`;
    for (let i = 0; i < 3; i++) await (await request(`${gw.url}/x`)).body.dump();
    await (await request(`${gw.url}/status/404`)).body.dump();
    const health = await request(`${admin}/healthz`);
    assert.equal(health.statusCode, 200);
    assert.deepEqual(await health.body.json(), { status: 'ok' });
    const metrics = await (await request(`${admin}/metrics`)).body.text();
    assert.match(metrics, /gatehouse_http_requests_total\{frontend="web",backend="app",status="200"\} [2-3]/);
    assert.match(metrics, /gatehouse_http_request_duration_seconds_bucket\{le="\+Inf",frontend="web",backend="app"\} 4/);
    assert.match(metrics, /gatehouse_http_request_duration_seconds_count\{frontend="web",backend="app"\} 4/);
    assert.match(metrics, /gatehouse_server_up\{backend="app",server="a"\} 1/);
    assert.match(metrics, /gatehouse_open_connections\{frontend="web"\} \d/);
    assert.match(metrics, /# TYPE gatehouse_auth_decisions_total counter/, "JWT authorization's registry is merged in");
    const stats = await request(`${admin}/stats`);
    assert.match(String(stats.headers['content-type']), /text\/html/);
    const html = await stats.body.text();
    assert.match(html, /<td>web<\/td>/);
    assert.match(html, /host api\.test path \/v1 → app/);
    assert.match(html, /<td>gone<\/td><td>127\.0\.0\.1:1<\/td><td>(UP|DOWN)<\/td>/);
    assert.match(html, /<td>a<\/td><td>127\.0\.0\.1:\d+<\/td><td>UP<\/td><td>1<\/td><td>0<\/td><td>[1-4]<\/td><td>0<\/td>/, 'requests and failures per server');
    assert.equal((await request(`${admin}/nope`)).statusCode, 404);
    assert.equal((await request(`${admin}/metrics`, { method: 'POST' })).statusCode, 405);
  } finally {
    await gw.close();
  }
});

test('the stats page escapes everything it shows', () => {
  assert.equal(escapeHtml(`<script>alert("x")</script>&'`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  const html = renderStatsPage({
    generatedAt: 0,
    pid: 1,
    workers: 1,
    frontends: [{ name: 'f<i>', bind: '127.0.0.1:80', defaultBackend: '<b>', routes: ['host <img src=x onerror=alert(1)>'] }],
    backends: [{ name: 'b"', balance: 'roundrobin', servers: [{ name: 's', address: 'a:1', weight: 1, up: false, inflight: 0, requests: 3, failures: 1, lastChange: 0, lastReason: '<svg onload=alert(1)>', checked: true }] }],
  });
  assert.doesNotMatch(html, /<img|<svg|<i>|<b>/);
  assert.match(html, /&lt;svg onload=alert\(1\)&gt;/);
});
