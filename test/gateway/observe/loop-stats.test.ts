/**
 * GATEHOUSE_LOOP_STATS: each cluster worker (not the primary) writes its event-loop delay histogram and
 * GC pauses to <dir>/loop-<pid>.json when it exits, with per-second windows in wall-clock time (so a
 * benchmark can keep only its measured interval); without the variable nothing is recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { startLoopStats, type LoopStats, type LoopWindow } from '../../../src/gateway/observe/index.js';
import { startGatewayProcess, tempDir, waitForWorkers } from '../support/gateway-process.js';
import { startUpstream } from '../support/upstream.js';

/** Windows follow one another without gap or overlap, inside [from, to], and add up to the whole run's GC. */
function assertWindows(s: LoopStats, from: number, to: number): void {
  assert.ok(s.windows.length >= 1, 'at least the last, partial window');
  s.windows.forEach((w: LoopWindow, i) => {
    assert.ok(w.start <= w.end, `window ${i} ends after it starts`);
    if (i > 0) assert.equal(w.start, s.windows[i - 1]!.end, `window ${i} starts where window ${i - 1} ended`);
    assert.ok(w.gcMaxMs <= s.gc.maxMs, `window ${i}'s GC max within the whole run's`);
    // two monitors with their own 1 ms timers: they may disagree by about their resolution
    assert.ok(w.loopDelayMaxMs <= s.loopDelay.max + 2, `window ${i}'s loop delay ${w.loopDelayMaxMs} within the whole run's ${s.loopDelay.max}`);
  });
  assert.ok(s.windows[0]!.start >= from && s.windows.at(-1)!.end <= to, `windows inside the process's life ${from}..${to}: ${JSON.stringify(s.windows)}`);
  assert.equal(s.windows.reduce((n, w) => n + w.gcCount, 0), s.gc.count, 'every GC pause is in exactly one window');
  assert.equal(Math.max(0, ...s.windows.map((w) => w.gcMaxMs)), s.gc.maxMs, 'the longest GC pause is in a window');
}

test('two workers with GATEHOUSE_LOOP_STATS write one loop-<pid>.json each at exit, with loop delay, GC pauses and windows', async () => {
  const before = Date.now();
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
    for (const s of stats) assertWindows(s, before, Date.now());
    assert.ok(stats.some((s) => s.gc.count > 0 && Object.values(s.gc.byKind).reduce((a, b) => a + b, 0) === s.gc.count), `GC pauses are recorded by kind: ${JSON.stringify(stats)}`);
  } finally {
    await gateway.stop('SIGKILL');
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a blocked event loop is recorded in the window that holds the block, not only in the whole-run max', async () => {
  const dir = tempDir('gatehouse-loop-stats-');
  try {
    const before = Date.now();
    const write = startLoopStats({ GATEHOUSE_LOOP_STATS: dir }) as () => LoopStats;
    await new Promise((r) => setTimeout(r, 1200)); // a full window first
    const blockFrom = Date.now();
    while (Date.now() - blockFrom < 80); // the loop is blocked for 80 ms
    const blockTo = Date.now();
    await new Promise((r) => setTimeout(r, 1200));
    const stats = write();
    assertWindows(stats, before, Date.now());
    assert.deepEqual(JSON.parse(readFileSync(join(dir, `loop-${process.pid}.json`), 'utf8')), stats, 'the file holds what write() returned');
    // a delay is observed when the late timer runs: in the window where the block ended, or (the window's
    // own timer having run first) in the next one
    const holding = stats.windows.findIndex((w) => w.start <= blockTo && blockTo <= w.end);
    assert.ok(holding >= 0, `a window holds the end of the block: ${JSON.stringify(stats.windows)}`);
    const seen = Math.max(...stats.windows.slice(holding, holding + 2).map((w) => w.loopDelayMaxMs));
    assert.ok(seen >= 70, `the 80 ms block shows as a loop delay of at least 70 ms in its window: ${JSON.stringify(stats.windows)}`);
    assert.ok(stats.windows[0]!.end <= blockFrom, 'the first window closed before the block');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without GATEHOUSE_LOOP_STATS nothing is started', () => {
  assert.equal(startLoopStats({}), undefined);
  assert.equal(startLoopStats({ GATEHOUSE_LOOP_STATS: '' }), undefined);
});
