import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { request as httpRequest } from 'node:http';
import { closedPort, startUpstream, type Echo } from './support/upstream.js';
import { startInProcess } from './support/in-process.js';

const a = await startUpstream('a');
const b = await startUpstream('b');
after(() => Promise.all([a.close(), b.close()]));

/** node:http, which (unlike undici) lets a test send hop-by-hop headers. */
function nodeGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; echo: Echo }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, echo: JSON.parse(text) as Echo }));
    }).on('error', reject).end();
  });
}

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await request(url, { method: method as 'GET', headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, echo: response.headers['content-type'] === 'application/json' ? (JSON.parse(text) as Echo) : undefined };
}

test('forwards to the default backend, round robin, with hop-by-hop headers removed both ways', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { servers: { a: { address: a.address }, b: { address: b.address } } } },
  });
  try {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const r = await nodeGet(`${gw.url}/hello?x=1`, { connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'keep-alive': '5', te: 'trailers', 'proxy-authorization': 'Basic eA==', 'x-keep': 'yes' });
      assert.equal(r.status, 200);
      seen.add(r.echo!.server);
      assert.equal(r.echo!.url, '/hello?x=1');
      assert.equal(r.echo!.headers['x-keep'], 'yes');
      for (const hop of ['x-drop-me', 'te', 'proxy-authorization', 'keep-alive']) assert.equal(r.echo!.headers[hop], undefined, hop);
      assert.equal(r.headers['x-secret-hop'], undefined, 'a header named by the upstream Connection header is removed');
      assert.equal(r.headers['x-upstream'], r.echo!.server);
    }
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  } finally {
    await gw.close();
  }
});

test('routes: first match wins on host, path prefix (segment-aware) and method; no match is 404', async () => {
  const gw = await startInProcess({
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        routes: [
          { host: 'api.example.com', path_prefix: '/v1', backend: 'B' },
          { path_prefix: '/admin', methods: ['GET'], backend: 'B' },
          { host: '*.example.org', backend: 'B' },
          { path_prefix: '/', backend: 'A' },
        ],
      },
      strict: { bind: '127.0.0.1:0', routes: [{ path_prefix: '/only', backend: 'A' }] },
    },
    backends: { A: { servers: { a: { address: a.address } } }, B: { servers: { b: { address: b.address } } } },
  });
  try {
    const via = async (path: string, host: string, method = 'GET') => (await get(`${gw.url}${path}`, { host }, method)).echo?.server;
    assert.equal(await via('/v1/users', 'API.example.com:8080'), 'b');
    assert.equal(await via('/v1/users', 'other.example.com'), 'a');
    assert.equal(await via('/v1x', 'api.example.com'), 'a', '/v1 does not match /v1x');
    assert.equal(await via('/admin/panel', 'x'), 'b');
    assert.equal(await via('/admin', 'x', 'DELETE'), 'a');
    assert.equal(await via('/public/../admin', 'x'), 'b', 'normalised before routing');
    assert.equal(await via('/public/%2e%2e/admin', 'x'), 'b');
    assert.equal(await via('/x', 'deep.sub.example.org'), 'b');
    assert.equal(await via('/x', 'example.org'), 'a', '*.example.org does not match example.org itself');
    const strictPort = gw.gateway.frontends.find((f) => f.name === 'strict')!.port;
    const miss = await get(`http://127.0.0.1:${strictPort}/elsewhere`);
    assert.equal(miss.status, 404);
    assert.match(miss.text, /no route/);
  } finally {
    await gw.close();
  }
});

test('the upstream receives the normalised path, so it reads the path the route matched', async () => {
  const gw = await startInProcess({ frontends: { web: { bind: '127.0.0.1:0', default_backend: 'A' } }, backends: { A: { servers: { a: { address: a.address } } } } });
  try {
    const r = await get(`${gw.url}/public/.%2E//admin/%7Euser?q=%2e%2e`);
    assert.equal(r.echo!.url, '/admin/~user?q=%2e%2e');
  } finally {
    await gw.close();
  }
});

test('X-Forwarded-*: client values replaced unless the client is a trusted proxy', async () => {
  const spoof = { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', forwarded: 'for=6.6.6.6' };
  const untrusted = await startInProcess({ frontends: { web: { bind: '127.0.0.1:0', default_backend: 'A' } }, backends: { A: { servers: { a: { address: a.address } } } } });
  try {
    const r = await get(`${untrusted.url}/`, { ...spoof, host: 'shop.example' });
    assert.equal(r.echo!.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(r.echo!.headers['x-forwarded-proto'], 'http');
    assert.equal(r.echo!.headers['x-forwarded-host'], 'shop.example');
    assert.equal(r.echo!.headers.forwarded, undefined);
  } finally {
    await untrusted.close();
  }
  const trusted = await startInProcess({ trusted_proxies: ['127.0.0.0/8'], frontends: { web: { bind: '127.0.0.1:0', default_backend: 'A' } }, backends: { A: { servers: { a: { address: a.address } } } } });
  try {
    const r = await get(`${trusted.url}/`, { ...spoof, host: 'shop.example' });
    assert.equal(r.echo!.headers['x-forwarded-for'], '6.6.6.6, 127.0.0.1');
    assert.equal(r.echo!.headers['x-forwarded-proto'], 'https');
    assert.equal(r.echo!.headers['x-forwarded-host'], 'evil.example');
  } finally {
    await trusted.close();
  }
});

test('a connection failure of an idempotent request is retried once on another server; POST is not', async () => {
  const dead = await closedPort();
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'A' } },
    backends: { A: { passive: false, servers: { dead: { address: `127.0.0.1:${dead}` }, a: { address: a.address } } } },
  });
  try {
    for (let i = 0; i < 4; i++) assert.equal((await get(`${gw.url}/`)).status, 200);
    const posts = await Promise.all([1, 2].map(() => request(`${gw.url}/`, { method: 'POST', body: 'x' }).then(async (r) => (await r.body.text(), r.statusCode))));
    assert.ok(posts.includes(502), `one POST went to the dead server and was not retried: ${posts}`);
    const metrics = await gw.gateway.metrics.registry.metrics();
    assert.match(metrics, /gatehouse_retries_total\{backend="A"\} [1-9]/);
  } finally {
    await gw.close();
  }
});

test('upstream failures: refused → 502, slow → 504, no healthy server → 503 with a clear body', async () => {
  const dead = await closedPort();
  const gw = await startInProcess({
    timeouts: { server: '300ms' },
    frontends: { web: { bind: '127.0.0.1:0', routes: [{ path_prefix: '/dead', backend: 'D' }, { path_prefix: '/', backend: 'A' }] } },
    backends: {
      A: { servers: { a: { address: a.address } } },
      D: { retries: 0, passive: { failures: 1, cooldown: '1m' }, servers: { dead: { address: `127.0.0.1:${dead}` } } },
    },
  });
  try {
    const refused = await get(`${gw.url}/dead`);
    assert.equal(refused.status, 502);
    assert.match(refused.text, /Bad Gateway/);
    const none = await get(`${gw.url}/dead`);
    assert.equal(none.status, 503, 'the passive check took the only server out');
    assert.match(none.text, /no healthy server in backend "D"/);
    const slow = await get(`${gw.url}/slow/2000`);
    assert.equal(slow.status, 504);
    assert.match(slow.text, /Gateway Timeout/);
  } finally {
    await gw.close();
  }
});

test('request and response bodies stream through; upstream status codes pass through', async () => {
  const gw = await startInProcess({ frontends: { web: { bind: '127.0.0.1:0', default_backend: 'A' } }, backends: { A: { servers: { a: { address: a.address } } } } });
  try {
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    const r = await request(`${gw.url}/upload`, { method: 'PUT', body });
    const echo = JSON.parse(await r.body.text()) as Echo;
    assert.equal(echo.bytes, body.length);
    assert.equal(echo.method, 'PUT');
    const teapot = await get(`${gw.url}/status/418`);
    assert.equal(teapot.status, 418);
  } finally {
    await gw.close();
  }
});

test('access log: one JSON line per request with the documented fields; never Authorization, cookies or query', async () => {
  const gw = await startInProcess({ frontends: { web: { bind: '127.0.0.1:0', default_backend: 'A' } }, backends: { A: { servers: { a: { address: a.address } } } } });
  try {
    await get(`${gw.url}/orders/7?access_token=sekrit-query-token`, { authorization: 'Bearer sekrit-bearer-token', cookie: 'session=sekrit-cookie' });
    await new Promise((r) => setTimeout(r, 50));
    const line = gw.logs.find((l) => l.log === 'access');
    assert.ok(line !== undefined, 'an access line was written');
    for (const key of ['time', 'method', 'path', 'status', 'bytes', 'duration_ms', 'route', 'backend', 'server']) assert.ok(key in line, key);
    assert.equal(line.path, '/orders/7');
    assert.equal(line.status, 200);
    assert.equal(line.server, 'a');
    assert.doesNotMatch(gw.rawLog(), /sekrit/);
  } finally {
    await gw.close();
  }
});
