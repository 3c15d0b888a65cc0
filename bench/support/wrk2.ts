/**
 * wrk2 (giltene/wrk2: wrk made constant-rate, with coordinated-omission correction — each request's
 * latency counts from when the rate says it should have been sent — and HdrHistogram percentiles) as
 * the latency suite's HTTP/1.1 load generator. Not in Debian: GATEHOUSE_BENCH_WRK2 names its `wrk` binary.
 *
 * wrk2 fixes its own warm-up: each thread's first 10 s + 5 ms per connection are a calibration period
 * whose latencies are thrown away (CALIBRATE_DELAY_MS, a compile-time constant), at the full rate. So a
 * run lasts that long plus the measured seconds, and the measured window starts when wrk2 prints its
 * "Thread calibration" line (read as it comes, with stdout line-buffered by stdbuf). What wrk2 does not
 * separate: its error counts (non-2xx, socket errors, timeouts) cover the calibration period too, and a
 * request still unanswered when the run stops is not in the histogram (it shows as SHORT: fewer answers
 * than the rate asked for).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../../test/support/services.js';
import type { LoadResult } from './load-result.js';

export const WRK2_ENV = 'GATEHOUSE_BENCH_WRK2';

/**
 * Bearer tokens from GATEHOUSE_BENCH_TOKENS in file order (one thread), from the start again at the end.
 * Read a line per request rather than formatted up front as bench/support/wrk.ts does: wrk2's LuaJIT
 * hashes a string from 4-byte samples at its start, end, middle and quarter, and requests that differ only
 * in a JWT's sub and jti all hash alike — formatting 20,000 of them took wrk2 6 s, and 100,000 would take
 * minutes, all inside its -d. Made per request, only the few not yet collected share a hash chain.
 */
const TOKENS_LUA = `
local path = os.getenv("GATEHOUSE_BENCH_TOKENS")
local file, head
function init(args)
  file = assert(io.open(path, "r"))
  head = "GET / HTTP/1.1\\r\\nHost: " .. wrk.headers["Host"] .. "\\r\\nAuthorization: Bearer "
end
function request()
  local token = file:read("*l")
  if token == nil or token == "" then
    file:seek("set", 0)
    token = file:read("*l")
  end
  return head .. token .. "\\r\\n\\r\\n"
end
`;

export interface Wrk2Options {
  readonly binary: string;
  readonly url: string;
  readonly connections: number;
  readonly rate: number;
  readonly seconds: number;
  /** Bearer tokens, one a line, sent round-robin (one thread: the whole file in order). */
  readonly tokensFile?: string;
  readonly workDir: string;
  readonly wrap: (command: string, args: string[]) => [string, string[]];
}

/** wrk2's calibration period with one thread of `connections` connections, in seconds. */
export const wrk2WarmupSeconds = (connections: number) => 10 + 0.005 * connections;

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

/** Reads wrk2 `--latency` output; `seconds` is the measured window's length. */
export function parseWrk2(out: string): Pick<LoadResult, 'p50Ms' | 'p99Ms' | 'p999Ms' | 'maxMs' | 'completed' | 'errors'> {
  const at = (p: string) => {
    const m = new RegExp(`^\\s*${p.replace('.', '\\.')}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(out);
    if (m === null) throw new Error(`cannot read the ${p}% line of wrk2's output:\n${out}`);
    return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  };
  // the spectrum's footer has the max and the count in ms with three decimals
  const footer = /#\[Max\s*=\s*([\d.]+), Total count\s*=\s*(\d+)\]/.exec(out);
  if (footer === null) throw new Error(`cannot read wrk2's histogram footer (run with --latency):\n${out}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  return {
    p50Ms: at('50.000'), p99Ms: at('99.000'), p999Ms: at('99.900'), maxMs: Number(footer[1]),
    completed: Number(footer[2]),
    errors: (socket === null ? 0 : socket.slice(1).reduce((a, b) => a + Number(b), 0)) + (non2xx === null ? 0 : Number(non2xx[1])),
  };
}

export function runWrk2(o: Wrk2Options): Promise<LoadResult> {
  const warmup = wrk2WarmupSeconds(o.connections);
  const duration = Math.ceil(warmup + o.seconds);
  const args = ['-t1', `-c${o.connections}`, `-d${duration}s`, `-R${o.rate}`, '--latency'];
  if (o.tokensFile !== undefined) {
    const script = join(o.workDir, 'wrk2-tokens.lua');
    writeFileSync(script, TOKENS_LUA);
    args.push('-s', script);
  }
  args.push(o.url);
  const stdbuf = findExecutable('stdbuf');
  const [command, argv] = o.wrap(...(stdbuf === undefined ? [o.binary, args] as [string, string[]] : [stdbuf, ['-oL', o.binary, ...args]] as [string, string[]]));
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let calibrated: number | undefined;
    let out = '';
    const child = spawn(command, argv, { env: { ...process.env, GATEHOUSE_BENCH_TOKENS: o.tokensFile ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (calibrated === undefined && out.includes('Thread calibration')) calibrated = Date.now();
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const ended = Date.now();
      if (code !== 0) return reject(new Error(`wrk2 exited with ${code}:\n${out}${err}`));
      // no calibration line: its histogram holds the whole run, warm-up included
      if (!out.includes('Thread calibration')) return reject(new Error(`wrk2 ended inside its calibration period (-d${duration}s); its figures would include the warm-up:\n${out}`));
      try {
        const parsed = parseWrk2(out);
        // without stdbuf the line arrives at exit: estimate from the start instead
        const from = calibrated !== undefined && calibrated < ended - 500 ? calibrated : started + warmup * 1000;
        const to = Math.min(ended, started + duration * 1000);
        // wrk2's own clock: its histogram holds what was answered from calibration to the end of -d
        resolve({ ...parsed, generator: 'wrk2', expected: Math.round(o.rate * (duration - warmup)), clientLagMaxMs: undefined, lagLimitMs: 10, measuredFrom: from, measuredTo: to });
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
