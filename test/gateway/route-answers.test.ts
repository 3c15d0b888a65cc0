/**
 * Routes that answer themselves: `redirect` (to a location, or to a prefix keeping the path and query)
 * and `return` (a fixed response), before authorization, with no upstream contacted; and the config
 * checks that keep exactly one of backend, redirect, return per route.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { configProblems } from './support/config-problems.js';
import { startInProcess } from './support/in-process.js';
import { rawRequest } from './support/raw-http.js';
import { startUpstream } from './support/upstream.js';
import { testPolicyConfig } from './auth/support.js';

const app = await startUpstream('app');
after(() => app.close());

test('redirect and return routes answer before auth, without an upstream', async () => {
  const gw = await startInProcess({
    auth: { api: testPolicyConfig() },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        auth: 'api',
        routes: [
          { path_prefix: '/docs', redirect: { location: 'https://docs.example.com/' , code: 301 } },
          { path_prefix: '/v1', redirect: { prefix: 'https://api.example.com' } },
          { path_prefix: '/healthz', return: { body: 'ok\n' } },
          { path_prefix: '/v0', return: { status: 410, content_type: 'application/json', body: '{"error":"v0 is gone"}', headers: { 'X-Sunset': '2026-01-01' } } },
        ],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const before = app.requests;
    const docs = await request(`${gw.url}/docs/intro`);
    assert.equal(docs.statusCode, 301);
    assert.equal(docs.headers.location, 'https://docs.example.com/');
    await docs.body.dump();
    const moved = await request(`${gw.url}/v1/users/7?expand=all`);
    assert.equal(moved.statusCode, 302);
    assert.equal(moved.headers.location, 'https://api.example.com/v1/users/7?expand=all', 'the path and query are kept');
    await moved.body.dump();
    const health = await request(`${gw.url}/healthz`);
    assert.equal(health.statusCode, 200, 'no token needed');
    assert.equal(health.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(await health.body.text(), 'ok\n');
    const gone = await request(`${gw.url}/v0/x`);
    assert.equal(gone.statusCode, 410);
    assert.equal(gone.headers['content-type'], 'application/json');
    assert.equal(gone.headers['x-sunset'], '2026-01-01');
    assert.deepEqual(await gone.body.json(), { error: 'v0 is gone' });
    const head = await request(`${gw.url}/healthz`, { method: 'HEAD' });
    assert.equal(head.headers['content-length'], '3');
    assert.equal(await head.body.text(), '');
    assert.equal(app.requests, before, 'the upstream saw none of them');
    assert.ok(gw.logs.some((l) => l.path === '/v0/x' && l.status === 410 && l.route === 'routes[3]'));
    // the other routes still need a token
    const denied = await request(`${gw.url}/orders`);
    assert.equal(denied.statusCode, 401);
    await denied.body.dump();
    // normalised first: /docs/../v0 is /v0
    assert.equal((await request(`${gw.url}/docs/%2e%2e/v0`)).statusCode, 410);
    // a WebSocket upgrade to a redirect route gets the redirect, then the connection closes
    const upgrade = await rawRequest(gw.port, 'GET /v1/ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    assert.equal(upgrade.status, 302);
    assert.match(upgrade.text, /\r\nlocation: https:\/\/api\.example\.com\/v1\/ws\r\n/i);
    assert.equal(upgrade.closed, true);
  } finally {
    await gw.close();
  }
});

test('config: exactly one of backend, redirect, return; no auth on answers; safe targets and headers', () => {
  const message = configProblems({
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        routes: [
          { path_prefix: '/a' },
          { path_prefix: '/b', backend: 'app', return: { body: 'x' } },
          { path_prefix: '/c', redirect: { location: '/x', prefix: '/y' } },
          { path_prefix: '/d', redirect: { location: 'javascript:alert(1)' } },
          { path_prefix: '/e', redirect: { location: '/x', code: 200 } },
          { path_prefix: '/f', return: { headers: { 'Content-Length': '0' } } },
          { path_prefix: '/g', return: { body: 'x' }, auth: 'api' },
        ],
      },
    },
    backends: { app: { servers: { a: { address: '127.0.0.1:9' } } } },
  });
  assert.match(message, /frontends\.web\.routes\[0\]: a route needs exactly one of backend, redirect, return/);
  assert.match(message, /frontends\.web\.routes\[1\]: a route needs exactly one of backend, redirect, return/);
  assert.match(message, /frontends\.web\.routes\[2\]\.redirect: give exactly one of location, prefix/);
  assert.match(message, /frontends\.web\.routes\[3\]\.redirect\.location: expected an http\(s\) URL or a path/);
  assert.match(message, /frontends\.web\.routes\[4\]\.redirect\.code: expected 301, 302, 303, 307 or 308/);
  assert.match(message, /frontends\.web\.routes\[5\]\.return\.headers\.Content-Length: framing headers are set by the gateway/);
  assert.match(message, /frontends\.web\.routes\[6\]\.auth: redirect and return routes answer before authorization/);
});
