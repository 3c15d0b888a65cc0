/**
 * GATEHOUSE_LOOP_STATS: each cluster worker (not the primary) writes its event-loop delay histogram and
 * GC pauses to <dir>/loop-<pid>.json when it exits; without the variable nothing is recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { startLoopStats, type LoopStats } from '../../../src/gateway/observe/index.js';
import { startGatewayProcess, tempDir, waitForWorkers } from '../support/gateway-process.js';
import { startUpstream } from '../support/upstream.js';

test('two workers with GATEHOUSE_LOOP_STATS write one loop-<pid>.json each at exit, with loop delay and GC pauses', async () => {
  const upstream = await startUpstream('a');
  const dir = tempDir('gatehouse-loop-stats-');
  const gateway = await startGatewayProcess(`
workers: 2
access_log: false
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`, [], { GATEHOUSE_LOOP_STATS: dir });
  try {
    const workers = await waitForWorkers(gateway, 2);
    const url = `http://127.0.0.1:${gateway.port('web')}/`;
    // enough allocation that at least one worker collects garbage
    const bodies = await Promise.all(Array.from({ length: 2000 }, async () => (await request(url, { reset: true })).body.text()));
    assert.equal(bodies.length, 2000);
    assert.equal(await gateway.stop('SIGTERM'), 0);
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, [...workers].map((pid) => `loop-${pid}.json`).sort(), 'one file per worker, none for the primary');
    const stats = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as LoopStats);
    for (const s of stats) {
      assert.ok(workers.has(s.pid));
      assert.ok(s.loopDelay.samples > 0, 'the loop-delay histogram has samples');
      assert.ok(s.loopDelay.max >= s.loopDelay.p99 && s.loopDelay.p99 >= s.loopDelay.p50 && s.loopDelay.p50 > 0);
      assert.ok(s.gc.maxMs <= s.gc.totalMs);
    }
    assert.ok(stats.some((s) => s.gc.count > 0 && Object.values(s.gc.byKind).reduce((a, b) => a + b, 0) === s.gc.count), `GC pauses are recorded by kind: ${JSON.stringify(stats)}`);
  } finally {
    await gateway.stop('SIGKILL');
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without GATEHOUSE_LOOP_STATS nothing is started', () => {
  assert.equal(startLoopStats({}), undefined);
  assert.equal(startLoopStats({ GATEHOUSE_LOOP_STATS: '' }), undefined);
});
