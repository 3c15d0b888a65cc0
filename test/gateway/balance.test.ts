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

/** Which server each of `keys` goes to. */
function placement(balancer: ReturnType<typeof createBalancer>, keys: string[]): Map<string, string | undefined> {
  return new Map(keys.map((key) => [key, balancer.pick(undefined, key)?.name]));
}

const KEYS = Array.from({ length: 6_000 }, (_, i) => `user-${i}`);

test('consistent hashing: a key always goes to the same server, and keys spread by weight', async () => {
  const list = servers([1, 1, 2]);
  const balancer = createBalancer('hdr(x-user)', list);
  const first = placement(balancer, KEYS);
  const again = placement(balancer, [...KEYS].reverse().slice(1));
  for (const [key, server] of again) assert.equal(server, first.get(key), `${key}: the same key, the same server, whatever came before`);
  const shares = tally([...first.values()].map((name) => list.find((s) => s.name === name)));
  // weights 1:1:2 → 1500:1500:3000; allow ±25 % for the ring's unevenness
  assert.ok(Math.abs((shares.s0 ?? 0) - 1500) < 375 && Math.abs((shares.s1 ?? 0) - 1500) < 375 && Math.abs((shares.s2 ?? 0) - 3000) < 750, JSON.stringify(shares));
  // without a key (header absent): round robin over the available servers
  assert.deepEqual(tally(Array.from({ length: 8 }, () => balancer.pick(undefined))), { s0: 2, s1: 2, s2: 4 });
  await Promise.all(list.map((s) => s.close()));
});

test('consistent hashing: a server that goes down moves only its own keys, and gets them back', async () => {
  const list = servers([1, 1, 1, 1]);
  const balancer = createBalancer('source', list);
  const before = placement(balancer, KEYS);
  list[2]!.setActive(false, 'test');
  const during = placement(balancer, KEYS);
  for (const key of KEYS) {
    if (before.get(key) === 's2') assert.notEqual(during.get(key), 's2');
    else assert.equal(during.get(key), before.get(key), `${key} stayed on its server`);
  }
  list[2]!.setActive(true, 'test');
  assert.deepEqual(placement(balancer, KEYS), before, 'back where they were');
  // a retry excludes the server that failed and lands on one other server, the same each time
  const key = KEYS.find((k) => before.get(k) === 's1') as string;
  const retry = balancer.pick(list[1], key);
  assert.ok(retry !== undefined && retry !== list[1]);
  assert.equal(balancer.pick(list[1], key), retry);
  for (const s of list) s.setActive(false, 'test');
  assert.equal(balancer.pick(undefined, key), undefined, 'none available');
  await Promise.all(list.map((s) => s.close()));
});

test('consistent hashing: adding a server takes about its share of keys from the others and moves no other key', async () => {
  const four = servers([1, 1, 1, 1]);
  const five = servers([1, 1, 1, 1, 1]);
  const before = placement(createBalancer('uri', four), KEYS);
  const after = placement(createBalancer('uri', five), KEYS);
  let moved = 0;
  for (const key of KEYS) {
    if (after.get(key) === before.get(key)) continue;
    moved++;
    assert.equal(after.get(key), 's4', 'a key that moved went to the new server');
  }
  assert.ok(moved > KEYS.length / 5 / 2 && moved < (KEYS.length / 5) * 1.5, `${moved} of ${KEYS.length} keys moved`);
  await Promise.all([...four, ...five].map((s) => s.close()));
});

test('backup servers get traffic only when no other server is available: the first one, or all with all_backups', async () => {
  const list = servers([1, 1, 1, 1]);
  const isBackup = (s: UpstreamServer) => s.name === 's2' || s.name === 's3';
  const first = createBalancer('roundrobin', list, { isBackup });
  const all = createBalancer('roundrobin', list, { isBackup, allBackups: true });
  assert.deepEqual(tally(Array.from({ length: 6 }, () => first.pick(undefined))), { s0: 3, s1: 3 });
  list[0]!.setActive(false, 'test');
  assert.deepEqual(tally(Array.from({ length: 6 }, () => first.pick(undefined))), { s1: 6 }, 'one primary left: still no backup');
  assert.equal(first.pick(list[1])?.name, 's2', 'a retry away from the last primary goes to the first backup');
  list[1]!.setActive(false, 'test');
  assert.deepEqual(tally(Array.from({ length: 6 }, () => first.pick(undefined))), { s2: 6 }, 'the first backup takes it all');
  assert.deepEqual(tally(Array.from({ length: 6 }, () => all.pick(undefined))), { s2: 3, s3: 3 }, 'all_backups shares it');
  list[2]!.setActive(false, 'test');
  assert.deepEqual(tally(Array.from({ length: 4 }, () => first.pick(undefined))), { s3: 4 }, 'the next backup');
  list[0]!.setActive(true, 'test');
  assert.deepEqual(tally(Array.from({ length: 4 }, () => first.pick(undefined))), { s0: 4 }, 'a primary is back: backups idle again');
  await Promise.all(list.map((s) => s.close()));
});

test('slowstart: a server back from down ramps up from a small share to its full weight', async () => {
  for (const algorithm of ['roundrobin', 'random']) {
    const list = servers([1, 1]);
    for (const s of list) s.slowstartMs = 600;
    const balancer = createBalancer(algorithm, list);
    list[1]!.setActive(false, 'test');
    list[1]!.setActive(true, 'test');
    const early = tally(Array.from({ length: 200 }, () => balancer.pick(undefined)));
    assert.ok((early.s1 ?? 0) < 40, `${algorithm}: just back, s1 got ${early.s1 ?? 0} of 200`);
    assert.ok(list[1]!.effectiveWeight() < 0.5);
    await new Promise((resolve) => setTimeout(resolve, 650));
    assert.equal(list[1]!.effectiveWeight(), 1);
    const later = tally(Array.from({ length: 200 }, () => balancer.pick(undefined)));
    assert.ok((later.s1 ?? 0) > 70, `${algorithm}: after the ramp, s1 got ${later.s1 ?? 0} of 200`);
    assert.equal(list[0]!.effectiveWeight(), 1, 'a server that never went down is at full weight from the start');
    await Promise.all(list.map((s) => s.close()));
  }
});

test('slowstart with consistent hashing: a server back from down gets its own keys back a share at a time', async () => {
  const list = servers([1, 1, 1, 1]);
  for (const s of list) s.slowstartMs = 600;
  const balancer = createBalancer('hdr(x-user)', list);
  const before = placement(balancer, KEYS);
  const owned = KEYS.filter((key) => before.get(key) === 's2');
  list[2]!.setActive(false, 'test');
  list[2]!.setActive(true, 'test');
  const early = placement(balancer, KEYS);
  const back = owned.filter((key) => early.get(key) === 's2').length;
  assert.ok(back > 0 && back < owned.length / 4, `just back, s2 has ${back} of its ${owned.length} keys`);
  for (const key of KEYS) {
    if (before.get(key) !== 's2') assert.equal(early.get(key), before.get(key), `${key} was never s2's: it did not move`);
  }
  await new Promise((resolve) => setTimeout(resolve, 650));
  assert.deepEqual(placement(balancer, KEYS), before, 'after the ramp, every key is where it was');
  await Promise.all(list.map((s) => s.close()));
});
