/**
 * Rate limits shared through Redis (`store: redis`): two gateway instances of two workers each count
 * against one budget, a store that cannot answer follows `on_store_error`, and a local limit is refused
 * when the command line asks for several workers. Needs Redis at 127.0.0.1:6379 (skipped loudly
 * elsewhere, a failure in CI).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { Redis } from 'ioredis';
import { requireTcpService } from '../support/services.js';
import { startGatewayProcess, waitForWorkers, type GatewayProcess } from './support/gateway-process.js';
import { startInProcess } from './support/in-process.js';
import { closedPort, startUpstream } from './support/upstream.js';

const REDIS_HOST = '127.0.0.1';
const REDIS_PORT = 6379;

async function twoWorkers(yaml: string): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess(yaml);
  await waitForWorkers(gateway, 2);
  return gateway;
}

test('store: redis — two instances of two workers each admit the limit once between them', async (t) => {
  if (!(await requireTcpService(t, 'Redis', REDIS_HOST, REDIS_PORT))) return;
  const app = await startUpstream('app');
  const prefix = `gatehouse-test-${randomUUID()}:`;
  const yaml = `
workers: 2
redis: { address: "${REDIS_HOST}:${REDIS_PORT}", key_prefix: "${prefix}" }
rate_limits:
  per_client: { requests: 7, period: 1m, store: redis }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app, rate_limit: per_client }
backends:
  app: { servers: { a: { address: "${app.address}" } } }
`;
  const one = await twoWorkers(yaml);
  const two = await twoWorkers(yaml);
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true });
  try {
    const urls = [`http://127.0.0.1:${one.port('web')}/`, `http://127.0.0.1:${two.port('web')}/`];
    const statuses: number[] = [];
    const pids = new Set<string>();
    for (let i = 0; i < 24; i++) {
      // a new connection each time, so both workers of each instance take requests
      const res = await request(urls[i % 2] as string, { reset: true });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) assert.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After on every 429');
      await res.body.dump();
    }
    for (const line of [...one.lines, ...two.lines]) if (line.status !== undefined && line.pid !== undefined) pids.add(String(line.pid));
    assert.equal(statuses.filter((s) => s === 200).length, 7, `exactly 7 admitted across both instances: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 17);
    assert.deepEqual(statuses.slice(0, 7), [200, 200, 200, 200, 200, 200, 200], 'the first 7, in order');
    assert.ok(pids.size >= 3, `requests were answered by several worker processes (${pids.size})`);
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    assert.ok(keys.length >= 1 && keys.every((k) => k.startsWith(`${prefix}rl:per_client:a:127.0.0.1:`)), `keys under the prefix: ${keys.join(' ')}`);
    const ttl = await redis.pttl(keys[0] as string);
    assert.ok(ttl > 60_000 && ttl <= 120_000, `a window's key expires after two periods (${ttl} ms)`);
  } finally {
    redis.disconnect();
    await Promise.all([one.stop('SIGKILL'), two.stop('SIGKILL')]);
    await app.close();
  }
});

test('store: redis unreachable — on_store_error allow lets requests through and counts the errors; deny answers 503', async () => {
  const app = await startUpstream('app');
  const port = await closedPort();
  const gw = await startInProcess({
    redis: { address: `127.0.0.1:${port}`, timeout: '50ms' },
    rate_limits: {
      open: { requests: 1, period: '1m', store: 'redis' },
      closed: { requests: 1, period: '1m', store: 'redis', on_store_error: 'deny' },
    },
    frontends: {
      web: { bind: '127.0.0.1:0', default_backend: 'app', rate_limit: 'open', routes: [{ path_prefix: '/strict', backend: 'app', rate_limit: 'closed' }] },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await request(`${gw.url}/api`);
      assert.equal(res.statusCode, 200, 'fail open: the limit cannot be checked, the request goes on');
      await res.body.dump();
    }
    const strict = await request(`${gw.url}/strict`);
    assert.equal(strict.statusCode, 503);
    assert.equal(await strict.body.text(), 'Service Unavailable: the rate limit could not be checked\n');
    const metrics = await gw.gateway.metrics.registry.metrics();
    assert.match(metrics, /gatehouse_rate_limit_store_errors_total\{limit="open"\} 3\b/);
    assert.match(metrics, /gatehouse_rate_limit_store_errors_total\{limit="closed"\} 1\b/);
    assert.equal(gw.logs.filter((l) => l.msg === 'redis unavailable: rate limits with store redis apply on_store_error').length, 1, 'logged once, not per request or per reconnect');
  } finally {
    await gw.close();
    await app.close();
  }
});

test('a local limit with --workers 2 on the command line is refused before listening', async () => {
  const gateway = await startGatewayProcess(
    `
rate_limits:
  per_client: { requests: 5, period: 1s }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app, rate_limit: per_client }
backends:
  app: { servers: { a: { address: "127.0.0.1:1" } } }
`,
    ['--workers', '2'],
  );
  const code = await new Promise<number | null>((resolve) => gateway.child.once('exit', (c) => resolve(c)));
  assert.notEqual(code, 0);
  const output = gateway.stderr.join('') + gateway.lines.map((l) => JSON.stringify(l)).join('\n');
  assert.match(output, /rate_limits\.per_client\.store: local counts in each process, so 2 workers would admit 2× the limit/);
  assert.ok(!gateway.lines.some((l) => l.frontend === 'web' && typeof l.port === 'number'), 'never listened');
});
