import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer } from '../../src/gateway/balance/index.js';
import { UpstreamServer } from '../../src/gateway/health/index.js';
import { createLogger } from '../../src/shared/logger.js';

const logger = createLogger({ level: 'silent' });
const pool = { connections: 1, connectTimeout: 1_000, responseTimeout: 1_000 };

function servers(weights: number[]): UpstreamServer[] {
  return weights.map((w, i) => new UpstreamServer('b', `s${i}`, { host: '127.0.0.1', port: 1 + i }, w, pool, false, logger, () => undefined));
}

function tally(picks: Array<UpstreamServer | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of picks) out[p?.name ?? 'none'] = (out[p?.name ?? 'none'] ?? 0) + 1;
  return out;
}

test('weighted round robin follows weights and interleaves (smooth)', async () => {
  const list = servers([5, 1, 1]);
  const balancer = createBalancer('roundrobin', list);
  const picks = Array.from({ length: 7 }, () => balancer.pick(undefined));
  assert.deepEqual(tally(picks), { s0: 5, s1: 1, s2: 1 });
  assert.ok(picks.slice(0, 5).some((p) => p?.name !== 's0'), 'the heavy server does not take five in a row');
  await Promise.all(list.map((s) => s.close()));
});

test('round robin skips unavailable servers and the excluded one; none available gives undefined', async () => {
  const list = servers([1, 1, 1]);
  const balancer = createBalancer('roundrobin', list);
  list[1]!.setActive(false, 'test');
  assert.deepEqual(tally(Array.from({ length: 10 }, () => balancer.pick(undefined))), { s0: 5, s2: 5 });
  assert.equal(balancer.pick(list[0])?.name, 's2');
  list[0]!.setActive(false, 'test');
  list[2]!.setActive(false, 'test');
  assert.equal(balancer.pick(undefined), undefined);
  await Promise.all(list.map((s) => s.close()));
});

test('least connections picks the server with the fewest requests in flight per weight', async () => {
  const list = servers([1, 1, 2]);
  const balancer = createBalancer('leastconn', list);
  list[0]!.inflight = 3;
  list[1]!.inflight = 1;
  list[2]!.inflight = 4;
  assert.equal(balancer.pick(undefined)?.name, 's1');
  list[1]!.inflight = 5;
  assert.equal(balancer.pick(undefined)?.name, 's2');
  await Promise.all(list.map((s) => s.close()));
});

test('random with two choices never picks the busier of two and spreads idle load', async () => {
  const list = servers([1, 1]);
  const balancer = createBalancer('random', list);
  list[0]!.inflight = 10;
  for (let i = 0; i < 50; i++) assert.equal(balancer.pick(undefined)?.name, 's1');
  list[0]!.inflight = 0;
  const counts = tally(Array.from({ length: 400 }, () => balancer.pick(undefined)));
  assert.ok((counts.s0 ?? 0) > 100 && (counts.s1 ?? 0) > 100, JSON.stringify(counts));
  await Promise.all(list.map((s) => s.close()));
});

test('passive checks take a server out after consecutive failures, for the cool-down only', async () => {
  const [server] = servers([1]);
  const passiveServer = new UpstreamServer('b', 'p', { host: '127.0.0.1', port: 9 }, 1, pool, { failures: 2, cooldown: 50, on_5xx: true }, logger, () => undefined);
  passiveServer.recordFailure('ECONNREFUSED', false);
  assert.equal(passiveServer.available, true);
  passiveServer.recordFailure('ECONNREFUSED', false);
  assert.equal(passiveServer.available, false);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(passiveServer.available, true, 'back after the cool-down');
  passiveServer.recordFailure('status 500', true);
  passiveServer.recordSuccess();
  passiveServer.recordFailure('status 500', true);
  assert.equal(passiveServer.available, true, 'a success resets the count');
  await Promise.all([server!.close(), passiveServer.close()]);
});
