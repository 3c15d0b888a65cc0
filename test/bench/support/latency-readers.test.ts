/**
 * The latency suite's readers (bench/support): wrk2's --latency output, h2load's per-request log, and
 * which loop-stats windows count for a row. Pure functions over real output shapes; the generators
 * themselves run in `npm run bench -- latency`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrk2 } from '../../../bench/support/wrk2.js';
import { readH2loadLog } from '../../../bench/support/h2load-rate.js';
import { measuredStalls } from '../../../bench/support/latency-report.js';
import { flags, type LoadResult } from '../../../bench/support/load-result.js';
import type { LoopStats } from '../../../src/gateway/observe/index.js';

// wrk2 -t1 -c10 -d12s -R1000 --latency, spectrum shortened; the error lines as wrk prints them
const WRK2 = `Running 12s test @ http://127.0.0.1:18999/
  1 threads and 10 connections
  Thread calibration: mean lat.: 1.009ms, rate sampling interval: 10ms
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02ms  656.17us   9.56ms   80.67%
    Req/Sec     1.06k   109.11     1.50k    89.12%
  Latency Distribution (HdrHistogram - Recorded Latency)
 50.000%  970.00us
 75.000%    1.31ms
 90.000%    1.64ms
 99.000%    3.29ms
 99.900%    6.82ms
 99.990%    9.57ms
 99.999%    9.57ms
100.000%    1.20s

  Detailed Percentile spectrum:
       Value   Percentile   TotalCount 1/(1-Percentile)

       0.052     0.000000            2         1.00
    1200.000     1.000000         1950          inf
#[Mean    =        1.025, StdDeviation   =        0.656]
#[Max     =     1200.000, Total count    =         1950]
#[Buckets =           27, SubBuckets     =         2048]
----------------------------------------------------------
  11981 requests in 12.00s, 1.42MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:    998.21
Transfer/sec:    120.88KB
`;

test('wrk2: percentiles in their units, the exact max and count from the spectrum footer, every kind of error', () => {
  const r = parseWrk2(WRK2);
  assert.equal(r.p50Ms, 0.97);
  assert.equal(r.p99Ms, 3.29);
  assert.equal(r.p999Ms, 6.82);
  assert.equal(r.maxMs, 1200);
  assert.equal(r.completed, 1950);
  assert.equal(r.errors, 2 + 3 + 4);
  assert.throws(() => parseWrk2(WRK2.replace(/#\[Max.*\n/, '')), /footer/);
});

test('h2load log: only requests started in the window, non-2xx as errors, and the sends checked against the rate', () => {
  const from = 1_000_000;
  const line = (startMs: number, status: number, us: number) => `${startMs * 1000}\t${status}\t${us}`;
  // 100 req/s: one due every 10 ms; the send due at 40 went out at 75 (a client short of streams or CPU)
  const starts = [0, 10, 20, 30, 75, 50, 60, 70, 80, 90];
  const log = [line(from - 5, 200, 99_000), ...starts.map((t, i) => line(from + t, i === 2 ? 503 : 200, 1000 + i)), line(from + 100, 200, 99_000), ''].join('\n');
  const r = readH2loadLog(log, from, from + 100, 100);
  assert.equal(r.completed, 10, 'the lines before and after the window are left out');
  assert.equal(r.errors, 1);
  assert.equal(r.maxMs, 1.009, 'the 99 ms requests outside the window do not count');
  // sorted, the k-th send is compared with its slot k × 10 ms: 50, 60, 70 sit in the slots of 40, 50, 60
  assert.equal(r.clientLagMaxMs, 10);
});

test('loop stats: a row counts the windows that overlap its measured interval, not startup or warm-up', () => {
  const w = (start: number, loopDelayMaxMs: number, gcMaxMs: number, gcCount = 1) => ({ start, end: start + 1000, loopDelayMaxMs, gcMaxMs, gcCount });
  const worker = {
    pid: 1, seconds: 5,
    loopDelay: { p50: 1, p99: 2, p999: 30, max: 35, mean: 1, samples: 5000 },
    gc: { count: 5, totalMs: 30, maxMs: 20, p99Ms: 20, byKind: {} },
    windows: [w(0, 35, 20), w(1000, 3, 1), w(2000, 4, 2), w(3000, 5, 3), w(4000, 30, 15)], // startup stall, steady, shutdown stall
  } satisfies LoopStats;
  const s = measuredStalls([worker], 1500, 3500);
  assert.deepEqual(s, { loopMaxMs: 5, gcMaxMs: 3, gcCount: 3, wholeLoopMaxMs: 35 }, 'the straddling windows count, the startup and shutdown ones do not');
  assert.equal(measuredStalls([worker], 1000, 2000).gcCount, 1, 'a window ending where the interval starts does not count');
});

test('a row is flagged when its generator lagged, answers fell short, or the load CPUs were saturated', () => {
  const base: LoadResult = { generator: 'wrk2', p50Ms: 1, p99Ms: 2, p999Ms: 3, maxMs: 4, completed: 1000, expected: 1000, errors: 0, clientLagMaxMs: undefined, lagLimitMs: 10, measuredFrom: 0, measuredTo: 1 };
  assert.deepEqual(flags(base), []);
  assert.deepEqual(flags({ ...base, clientLagMaxMs: 11 }), ['CLIENT LAGGED']);
  assert.deepEqual(flags({ ...base, completed: 980 }), ['SHORT 980/1000']);
  assert.deepEqual(flags({ ...base, loadCpuIdlePercent: 3 }), ['LOAD CPU BUSY']);
});
