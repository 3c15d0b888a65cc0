/**
 * Runs wrk: `runWrk` against a URL with a Lua script that sends `Authorization: Bearer <token>` from a
 * token file, each wrk thread walking its own slice of the file (so with enough tokens no token is sent
 * twice); `wrk` with any script, or none (the same GET again and again).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

const LUA = `
local tokens = {}
for line in io.lines(os.getenv("GATEHOUSE_BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local threads = tonumber(os.getenv("GATEHOUSE_BENCH_THREADS"))
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
-- Requests are formatted once per thread in init(), so request() costs wrk a table lookup: with
-- wrk.format() per request, wrk itself used as much CPU per request as the gateways it measured.
local reqs, i, n
function init(args)
  local slice = math.floor(#tokens / threads)
  local first = id * slice + 1
  reqs = {}
  for k = first, first + slice - 1 do
    reqs[#reqs + 1] = wrk.format("GET", "/", { ["Authorization"] = "Bearer " .. tokens[k] })
  end
  tokens = nil
  n = #reqs
  i = 0
end
function request()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end
`;

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
}

export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(output);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(output);
  const total = /(\d+) requests in/.exec(output);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  if (rps === null || p99 === null || p50 === null || total === null) throw new Error(`cannot read wrk output:\n${output}`);
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: toMs(p50[1] as string, p50[2] as string),
    p99Ms: toMs(p99[1] as string, p99[2] as string),
    requests: Number(total[1]),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors: errors === null ? 0 : errors.slice(1).reduce((a, b) => a + Number(b), 0),
  };
}

export interface WrkRun {
  readonly url: string;
  readonly connections: number;
  readonly threads: number;
  readonly durationS: number;
  /** A Lua script file for wrk's `-s`; none: a plain GET. */
  readonly script?: string;
  /** Extra environment for the script. */
  readonly env?: Record<string, string>;
  /** wrk's `--timeout` in seconds (wrk's default: 2). */
  readonly timeoutS?: number;
  /** Wraps the wrk command (CPU pinning); identity by default. */
  readonly wrap?: (command: string, args: string[]) => [string, string[]];
}

export function wrk(o: WrkRun): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const [command, args] = (o.wrap ?? ((c: string, a: string[]): [string, string[]] => [c, a]))('wrk', [
      '-t', String(o.threads), '-c', String(o.connections), '-d', `${o.durationS}s`, '--latency', ...(o.timeoutS === undefined ? [] : ['--timeout', `${o.timeoutS}s`]), ...(o.script === undefined ? [] : ['-s', o.script]), o.url,
    ]);
    execFile(command, args, { env: { ...process.env, ...o.env }, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
      else {
        try {
          resolve(parseWrk(stdout));
        } catch (e) {
          reject(e);
        }
      }
    });
  });
}

export interface WrkOptions {
  readonly url: string;
  readonly tokensFile: string;
  readonly connections: number;
  readonly threads: number;
  readonly durationS: number;
  readonly workDir: string;
  /** Wraps the wrk command (CPU pinning); identity by default. */
  readonly wrap?: (command: string, args: string[]) => [string, string[]];
}

export function runWrk(o: WrkOptions): Promise<WrkResult> {
  const script = join(o.workDir, 'tokens.lua');
  writeFileSync(script, LUA);
  return wrk({ ...o, script, env: { GATEHOUSE_BENCH_TOKENS: o.tokensFile, GATEHOUSE_BENCH_THREADS: String(o.threads) } });
}
