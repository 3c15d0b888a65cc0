/**
 * Rate limits (`rate_limits`, `rate_limit` on a frontend or route) with the local store: the sliding
 * window's arithmetic, then the gateway answering 429 with Retry-After before authorization and before
 * the upstream, per source address, per header (API key) and per verified subject; config refusals with
 * their key paths.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { decide, LocalStore, limitKeyValue, retryAfter } from '../../src/gateway/limit/index.js';
import { configProblems } from './support/config-problems.js';
import { startInProcess } from './support/in-process.js';
import { rawRequest } from './support/raw-http.js';
import { startUpstream } from './support/upstream.js';
import { testPolicyConfig, token, validClaims } from './auth/support.js';

const app = await startUpstream('app');
after(() => app.close());

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
};

test('the sliding window: the previous window counts by the share of it still within the period', () => {
  // 10 per 1000 ms; 250 ms into the window, the previous window's 8 weigh 8 × 0.75 = 6
  assert.equal(decide({ previous: 8, current: 3 }, 250, 1_000, 10).allowed, true, '6 + 3 + 1 = 10 ≤ 10');
  assert.equal(decide({ previous: 8, current: 4 }, 250, 1_000, 10).allowed, false, '6 + 4 + 1 = 11 > 10');
  // room for one more once 8 × (1000 − t)/1000 ≤ 10 − 4 − 1 = 5  ⇔  t ≥ 375
  assert.equal(retryAfter({ previous: 8, current: 4 }, 250, 1_000, 10), 125);
  // the current window alone is full: wait for the next one, where these 10 decay until 9 fit
  assert.equal(retryAfter({ previous: 0, current: 10 }, 400, 1_000, 10), 600 + 100);
  assert.equal(retryAfter({ previous: 0, current: 0 }, 400, 1_000, 0.5), 600, 'nothing counted yet but nothing fits: the next window');
  assert.deepEqual(decide({ previous: 8, current: 1 }, 250, 1_000, 10), { allowed: true, retryAfterMs: 0, remaining: 2, resetMs: 750 }, 'after this one: 10 − (6 + 1 + 1) = 2 left');
  // never 2 × requests across a boundary (a fixed window's flaw)
  const store = new LocalStore(10, 1_000, 100);
  let admitted = 0;
  for (let i = 0; i < 10; i++) admitted += store.hit('k', 999).allowed ? 1 : 0;
  for (let i = 0; i < 10; i++) admitted += store.hit('k', 1_001).allowed ? 1 : 0;
  assert.equal(admitted, 10, 'just after the boundary the previous 10 still weigh 9.98');
  assert.equal(store.hit('k', 2_000).allowed, true, 'a whole period later the previous window has faded');
  assert.equal(store.hit('other', 1_001).allowed, true, 'keys count apart');
});

test('the local store forgets the least recently seen key beyond max_keys; a header value is kept only as a digest', () => {
  const store = new LocalStore(1, 60_000, 2);
  assert.equal(store.hit('a', 0).allowed, true);
  assert.equal(store.hit('b', 0).allowed, true);
  assert.equal(store.hit('a', 1).allowed, false, 'a is at its limit (and now the most recently seen)');
  assert.equal(store.hit('c', 2).allowed, true, 'c pushes out b, the least recently seen');
  assert.equal(store.size, 2);
  assert.equal(store.hit('a', 3).allowed, false, 'a was kept');
  assert.equal(store.hit('b', 3).allowed, true, 'b was forgotten: it starts over');
  const key = limitKeyValue({ kind: 'header', header: 'x-api-key' }, '192.0.2.1', 'secret-api-key-value', undefined);
  assert.match(key, /^h:[A-Za-z0-9_-]{22}$/);
  assert.ok(!key.includes('secret'));
  assert.equal(limitKeyValue({ kind: 'header', header: 'x-api-key' }, '192.0.2.1', undefined, undefined), 'a:192.0.2.1', 'no header: counted by address');
  assert.equal(limitKeyValue({ kind: 'subject' }, '192.0.2.1', undefined, undefined), 'a:192.0.2.1', 'no subject: counted by address');
});

test('rate_limit by source: 429 with Retry-After and a clear body before the upstream; the route opting out is not limited', async () => {
  const gw = await startInProcess({
    rate_limits: { per_client: { requests: 3, period: '1m' } },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        rate_limit: 'per_client',
        routes: [{ path_prefix: '/health', backend: 'app', rate_limit: false }],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const before = app.requests;
    for (let i = 0; i < 3; i++) assert.equal((await get(`${gw.url}/api`)).status, 200, `request ${i + 1} of 3`);
    const refused = await get(`${gw.url}/api`);
    assert.equal(refused.status, 429);
    assert.equal(refused.body, 'Too Many Requests: this client sent more requests than the rate limit allows; retry after the time in Retry-After\n');
    const wait = Number(refused.headers['retry-after']);
    assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 120, `Retry-After in seconds: ${String(refused.headers['retry-after'])}`);
    assert.equal(app.requests, before + 3, 'the refused request never reached the upstream');
    for (let i = 0; i < 5; i++) assert.equal((await get(`${gw.url}/health`)).status, 200, 'rate_limit: false on the route');
    assert.ok(gw.logs.some((l) => l.status === 429 && l.error === 'rate limited: per_client'), 'the access log names the limit');
    // a WebSocket upgrade counts against the same budget: refused the same way, and the connection closed
    const upgrade = await rawRequest(gw.port, 'GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    assert.equal(upgrade.status, 429, upgrade.text);
    assert.match(upgrade.text, /\r\nretry-after: \d+\r\n/i);
    assert.equal(upgrade.closed, true);
    assert.equal(app.requests, before + 3, 'the upgrade never reached the upstream');
    const metrics = await gw.gateway.metrics.registry.metrics();
    assert.match(metrics, /gatehouse_rate_limited_total\{frontend="web",limit="per_client"\} 2\b/);
  } finally {
    await gw.close();
  }
});

test('rate_limit by header: each API key has its own budget, a request without one counts by address; the 429 runs before authorization', async () => {
  const gw = await startInProcess({
    auth: { api: testPolicyConfig() },
    rate_limits: { per_key: { requests: 2, period: '1m', key: 'header(X-Api-Key)' } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'api', rate_limit: 'per_key' } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const bearer = `Bearer ${token({ claims: validClaims({ exp: nowS + 60, iat: nowS }) })}`;
    for (const key of ['key-one', 'key-two']) {
      assert.equal((await get(gw.url, { 'x-api-key': key, authorization: bearer })).status, 200);
      assert.equal((await get(gw.url, { 'x-api-key': key, authorization: bearer })).status, 200);
      assert.equal((await get(gw.url, { 'x-api-key': key, authorization: bearer })).status, 429, `${key} is spent`);
    }
    // no token at all: still 429, not 401/403 — the limit is checked first, so a flood costs no signature check
    assert.equal((await get(gw.url, { 'x-api-key': 'key-one' })).status, 429);
    // without the header: the client's address has its own budget
    assert.equal((await get(gw.url, { authorization: bearer })).status, 200);
    assert.equal((await get(gw.url, { authorization: bearer })).status, 200);
    assert.equal((await get(gw.url, { authorization: bearer })).status, 429);
    assert.ok(!gw.rawLog().includes('key-one'), 'API key values never reach the log');
  } finally {
    await gw.close();
  }
});

test('rate_limit by subject: counted after authorization, per verified sub; a denied token is not counted', async () => {
  const gw = await startInProcess({
    auth: { api: testPolicyConfig() },
    rate_limits: { per_user: { requests: 2, period: '1m', key: 'subject' } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'api', rate_limit: 'per_user' } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const as = (sub: string) => ({ authorization: `Bearer ${token({ claims: validClaims({ sub, exp: nowS + 60, iat: nowS }) })}` });
    for (let i = 0; i < 4; i++) assert.notEqual((await get(gw.url, { authorization: 'Bearer not-a-token' })).status, 429, 'denied tokens are answered by auth, never counted');
    assert.equal((await get(gw.url, as('alice'))).status, 200);
    assert.equal((await get(gw.url, as('alice'))).status, 200);
    assert.equal((await get(gw.url, as('alice'))).status, 429);
    assert.equal((await get(gw.url, as('bob'))).status, 200, 'another subject, from the same address, has its own budget');
  } finally {
    await gw.close();
  }
});

test('a 429 takes the frontend\'s error page for 429 and, for an allowed origin, the CORS headers a page needs to read it', async () => {
  const gw = await startInProcess({
    rate_limits: { one: { requests: 1, period: '1m' } },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        rate_limit: 'one',
        cors: { origins: ['https://app.example.com'], expose_headers: ['Retry-After'] },
        error_pages: { 429: { body: '{"error":"slow_down"}', content_type: 'application/json' } },
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const origin = { origin: 'https://app.example.com' };
    assert.equal((await get(gw.url, origin)).status, 200);
    const refused = await get(gw.url, origin);
    assert.equal(refused.status, 429);
    assert.equal(refused.body, '{"error":"slow_down"}');
    assert.equal(refused.headers['content-type'], 'application/json');
    assert.equal(refused.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(refused.headers['access-control-expose-headers'], 'Retry-After');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
  } finally {
    await gw.close();
  }
});

test('headers: true — RateLimit-Limit, -Remaining and -Reset on every response of the limit, replacing the upstream\'s own', async () => {
  const own = await startUpstream('own', (req, res) => {
    if (req.url !== '/own' && req.url !== '/quiet') return false;
    res.writeHead(200, { 'ratelimit-remaining': '999', 'content-length': 2 }).end('ok');
    return true;
  });
  const gw = await startInProcess({
    rate_limits: { visible: { requests: 3, period: '1m', headers: true }, quiet: { requests: 3, period: '1m' } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'own', rate_limit: 'visible', routes: [{ path_prefix: '/quiet', backend: 'own', rate_limit: 'quiet' }] } },
    backends: { own: { servers: { a: { address: own.address } } } },
  });
  try {
    const seen: Array<[number, unknown, unknown, unknown]> = [];
    for (let i = 0; i < 4; i++) {
      const res = await get(`${gw.url}/own`);
      seen.push([res.status, res.headers['ratelimit-limit'], res.headers['ratelimit-remaining'], res.headers['retry-after']]);
      const reset = Number(res.headers['ratelimit-reset']);
      assert.ok(Number.isInteger(reset) && reset >= 1 && reset <= 60, `RateLimit-Reset: seconds to the window's end (${String(res.headers['ratelimit-reset'])})`);
    }
    assert.deepEqual(seen, [
      [200, '3', '2', undefined],
      [200, '3', '1', undefined],
      [200, '3', '0', undefined],
      [429, '3', '0', seen[3]?.[3]],
    ], 'one RateLimit-Remaining, the gateway\'s, never the upstream\'s 999');
    assert.ok(Number(seen[3]?.[3]) >= 1);
    const quiet = await get(`${gw.url}/quiet`);
    assert.equal(quiet.status, 200);
    assert.equal(quiet.headers['ratelimit-limit'], undefined, 'headers are off by default');
    assert.equal(quiet.headers['ratelimit-remaining'], '999', 'and the upstream\'s own pass untouched');
  } finally {
    await gw.close();
    await own.close();
  }
});

test('a reload keeps the counters of an unchanged local limit, and starts over when its rules change', async () => {
  const config = (requests: number) => ({
    rate_limits: { per_client: { requests, period: '1m' } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', rate_limit: 'per_client' } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  const { parseGatewayConfig } = await import('../../src/gateway/index.js');
  const gw = await startInProcess(config(2));
  try {
    assert.equal((await get(gw.url)).status, 200);
    assert.equal((await get(gw.url)).status, 200);
    assert.equal((await get(gw.url)).status, 429);
    const port = gw.port;
    const same = parseGatewayConfig({ ...config(2), frontends: { web: { bind: `127.0.0.1:${port}`, default_backend: 'app', rate_limit: 'per_client' } } }, process.cwd());
    await gw.gateway.reload(same);
    assert.equal((await get(gw.url)).status, 429, 'same rules: the spent budget stays spent');
    const raised = parseGatewayConfig({ ...config(5), frontends: { web: { bind: `127.0.0.1:${port}`, default_backend: 'app', rate_limit: 'per_client' } } }, process.cwd());
    await gw.gateway.reload(raised);
    assert.equal((await get(gw.url)).status, 200, 'new rules: counted afresh');
  } finally {
    await gw.close();
  }
});

test('rate limit config problems are reported with their key paths', () => {
  const base = {
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', rate_limit: 'missing', routes: [{ path_prefix: '/x', backend: 'app', rate_limit: 'nope' }] } },
    backends: { app: { servers: { a: { address: '127.0.0.1:1' } } } },
  };
  const unknown = configProblems(base);
  assert.match(unknown, /frontends\.web\.rate_limit: unknown rate limit "missing" \(no limits are defined under rate_limits\)/);
  assert.match(unknown, /frontends\.web\.routes\[0\]\.rate_limit: unknown rate limit "nope"/);
  const bad = configProblems({
    rate_limits: { a: { requests: 0, period: '10ms', key: 'cookie(x)', store: 'memcached' } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: base.backends,
  });
  assert.match(bad, /rate_limits\.a\.requests: /);
  assert.match(bad, /rate_limits\.a\.period: expected a duration like 100ms, 1s, 1m \(from 1s to 24h\)/);
  assert.match(bad, /rate_limits\.a\.key: expected source, header\(<name>\) or subject/);
  assert.match(bad, /rate_limits\.a\.store: expected local or redis/);
  const layout = configProblems({
    workers: 2,
    rate_limits: { here: { requests: 5, period: '1s' }, shared: { requests: 5, period: '1s', store: 'redis' } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', rate_limit: 'here', routes: [{ path_prefix: '/s', backend: 'app', rate_limit: 'shared' }] } },
    backends: base.backends,
  });
  assert.match(layout, /rate_limits\.here\.store: local counts in each process, so 2 workers would admit 2× the limit; use store: redis/);
  assert.match(layout, /rate_limits\.shared\.store: redis needs a redis: section/);
  const answers = configProblems({
    rate_limits: { a: { requests: 5, period: '1s' } },
    frontends: { web: { bind: '127.0.0.1:0', routes: [{ path_prefix: '/old', redirect: { location: '/new' }, rate_limit: 'a' }] } },
  });
  assert.match(answers, /frontends\.web\.routes\[0\]\.rate_limit: redirect and return routes answer before rate limits/);
  const password = configProblems({
    redis: { address: '127.0.0.1:6379', password: 'inline-secret' },
    frontends: base.frontends,
    backends: base.backends,
  });
  assert.match(password, /redis\.password: /);
});
