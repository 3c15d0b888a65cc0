/**
 * h2load (nghttp2-client) at a constant rate as the latency suite's HTTP/2-over-TLS load generator:
 * `-c <connections> -m <streams> --rps <rate / connections>` (rps is per client), a warm-up
 * (`--warm-up-time`), then `-D <seconds>`, with `--log-file` for one line per request (start in µs since
 * the epoch, status, µs to the end of the response) — percentiles come from those lines through our
 * histogram, over the requests *started* inside the measured window (from h2load's "Warm-up phase is
 * over" line to its "duration is over" line, read as they come).
 *
 * How far this is free of coordinated omission: h2load measures from the actual send, not from a
 * schedule. Each client's timer runs every max(10 ms, 1/rps) and sends what has come due since, as long
 * as it has a free stream among `-m`; with streams to spare, the send *is* the schedule, give or take that
 * 10 ms tick. When every stream is taken (the target stalls for longer than streams ÷ per-client rate),
 * due requests wait unsent and that wait is *not* in their latency — so the send times are checked
 * against the rate: the worst gap between where the k-th send of the window should have been
 * (from + k / rate) and where it was is reported as the client's lag, and a row whose lag passes the tick
 * + 10 ms is flagged. Requests cut off when the run stops are not logged: they show as SHORT.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LatencyHistogram } from './histogram.js';
import type { LoadResult } from './load-result.js';

export interface H2loadRateOptions {
  readonly url: string;
  readonly connections: number;
  /** Concurrent streams per connection (h2load -m). */
  readonly streams: number;
  readonly rate: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly workDir: string;
  readonly wrap: (command: string, args: string[]) => [string, string[]];
}

/** h2load's rps timer period per client (max(10 ms, 1 / rps)): a client's sends go out in ticks this far apart. */
const tickMs = (perClientRps: number) => Math.max(10, 1000 / perClientRps);
let serial = 0;

/** Percentiles, errors and the send lag from h2load's log lines started in [from, to) (ms since the epoch). */
export function readH2loadLog(text: string, from: number, to: number, rate: number): Pick<LoadResult, 'p50Ms' | 'p99Ms' | 'p999Ms' | 'maxMs' | 'completed' | 'errors' | 'clientLagMaxMs'> {
  const h = new LatencyHistogram();
  const starts: number[] = [];
  let errors = 0;
  for (const line of text.split('\n')) {
    const [start, status, duration] = line.split('\t');
    if (duration === undefined) continue;
    const startMs = Number(start) / 1000;
    if (startMs < from || startMs >= to) continue;
    starts.push(startMs);
    const code = Number(status);
    if (code < 200 || code > 399) errors++;
    h.record(Number(duration));
  }
  starts.sort((a, b) => a - b);
  let lag = 0;
  for (let k = 0; k < starts.length; k++) lag = Math.max(lag, (starts[k] as number) - (from + (k * 1000) / rate));
  const ms = (us: number) => us / 1000;
  return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), p999Ms: ms(h.percentile(99.9)), maxMs: ms(h.maxUs), completed: h.count, errors, clientLagMaxMs: Math.round(lag * 100) / 100 };
}

export function runH2loadRate(o: H2loadRateOptions): Promise<LoadResult> {
  const log = join(o.workDir, `h2load-${process.pid}-${++serial}.log`);
  const [command, args] = o.wrap('h2load', [
    '-c', String(o.connections), '-t', '1', '-m', String(o.streams), `--rps=${o.rate / o.connections}`,
    `--warm-up-time=${o.warmupSeconds}s`, '-D', `${o.seconds}s`, `--log-file=${log}`, o.url,
  ]);
  return new Promise((resolve, reject) => {
    let from: number | undefined;
    let to: number | undefined;
    let out = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), (o.seconds + o.warmupSeconds + 60) * 1000);
    // h2load ends these lines with std::endl: they arrive as they happen
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (from === undefined && out.includes('Warm-up phase is over')) from = Date.now();
      if (to === undefined && out.includes('Main benchmark duration is over')) to = Date.now();
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code !== 0 || from === undefined || to === undefined) return reject(new Error(`h2load exited with ${code} or without its phase lines:\n${out}`));
      const read = readH2loadLog(readFileSync(log, 'utf8'), from, to, o.rate);
      resolve({ ...read, generator: 'h2load', expected: Math.round((o.rate * (to - from)) / 1000), lagLimitMs: tickMs(o.rate / o.connections) + 10, measuredFrom: from, measuredTo: to });
    });
  });
}
