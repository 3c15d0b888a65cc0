/**
 * Tracing benchmark: what `tracing:` costs per request, side by side in one run, one core per gateway,
 * the same upstream (Debian's nginx) and load (`wrk -t2 -c50`, no traceparent from the client: every
 * request starts a trace):
 *   - Gatehouse without `tracing:` (the default),
 *   - Gatehouse with tracing and `sample_ratio: 0` (a span context and a traceparent per request, nothing
 *     recorded),
 *   - Gatehouse with tracing sampling every request, exporting over OTLP/HTTP (JSON, default batching) to a
 *     receiver in this process that counts the spans it gets,
 *   - with GATEHOUSE_BENCH_BASELINE=<another build's dist/src/cli/main.js>: that build without tracing
 *     (the build before tracing existed, to see that "off" costs nothing).
 * Each run measures every target once, in rotating order; medians over the runs; CPU µs per request of
 * the gateway's process tree (export included) as in the other suites.
 *
 * Environment: GATEHOUSE_BENCH_RUNS (3), GATEHOUSE_BENCH_SECONDS (8), GATEHOUSE_BENCH_CONNECTIONS (50),
 * GATEHOUSE_BENCH_BASELINE, GATEHOUSE_BENCH_PIN as in bench/support/cpu.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../test/support/services.js';
import { freePort, startProcess, type Running } from '../test/gateway/auth/e2e/processes.js';
import { pinning, treeCpuSeconds, type Pinning } from './support/cpu.js';
import { startUpstream } from './support/upstream.js';
import { runWrk, type WrkResult } from './support/wrk.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

type Target = 'tracing off' | 'tracing on, 0 % sampled' | 'tracing on, 100 % sampled + export' | 'baseline build, no tracing';

const SPAN_ID = Buffer.from('"spanId":');

/** An OTLP/HTTP receiver that only counts: spans (by their `"spanId":` members) and POSTs. */
async function startCountingReceiver(): Promise<{ endpoint: string; spans(): number; close(): Promise<void> }> {
  let spans = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      for (let at = body.indexOf(SPAN_ID); at >= 0; at = body.indexOf(SPAN_ID, at + SPAN_ID.length)) spans++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    spans: () => spans,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function gatehouseConfig(port: number, upstream: string, tracing: string): string {
  return `access_log: false
${tracing}frontends:
  bench: { bind: "127.0.0.1:${port}", default_backend: app }
backends:
  app: { servers: { s1: { address: "${upstream}" } } }
`;
}

async function startTarget(target: Target, dir: string, upstream: string, endpoint: string, pin: Pinning): Promise<Running & { port: number }> {
  const port = await freePort();
  const cfg = join(dir, 'gatehouse.yaml');
  const tracing = target === 'tracing on, 0 % sampled' ? `tracing: { endpoint: "${endpoint}", sample_ratio: 0 }\n` : target === 'tracing on, 100 % sampled + export' ? `tracing: { endpoint: "${endpoint}" }\n` : '';
  writeFileSync(cfg, gatehouseConfig(port, upstream, tracing));
  const cli = target === 'baseline build, no tracing' ? (process.env.GATEHOUSE_BENCH_BASELINE as string) : CLI;
  return { ...(await startProcess(...pin.target(process.execPath, [cli, 'gateway', '--config', cfg]), port, { GATEHOUSE_LOG_LEVEL: 'warn' })), port };
}

export async function run(): Promise<void> {
  if (findExecutable('wrk') === undefined) {
    console.log('tracing benchmark SKIPPED: wrk is not installed');
    return;
  }
  const runs = env('GATEHOUSE_BENCH_RUNS', 3);
  const seconds = env('GATEHOUSE_BENCH_SECONDS', 8);
  const connections = env('GATEHOUSE_BENCH_CONNECTIONS', 50);
  const baseline = process.env.GATEHOUSE_BENCH_BASELINE;
  const pin = pinning(1);
  const targets: Target[] = ['tracing off', 'tracing on, 0 % sampled', 'tracing on, 100 % sampled + export', ...(baseline === undefined ? [] : (['baseline build, no tracing'] as const))];
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tracing-'));
  const tokensFile = join(dir, 'tokens.txt');
  writeFileSync(tokensFile, 'not-a-token\n'.repeat(1_000)); // wrk's script sends one fixed header; no target looks at it
  console.log(`tracing benchmark: wrk -t2 -c${connections} -d${seconds}s, ${runs} runs, 1 core per gateway, upstream nginx, ${pin.description}; no traceparent from the client (each request starts a trace)${baseline === undefined ? '' : `; baseline build ${baseline}`}`);
  const upstream = await startUpstream(dir, pin.load);
  const receiver = await startCountingReceiver();
  const results = new Map<Target, Array<WrkResult & { cpuUs: number; exported: number }>>();
  try {
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < targets.length; k++) {
        const target = targets[(k + r) % targets.length] as Target;
        const running = await startTarget(target, dir, upstream.address, receiver.endpoint, pin);
        let spansBefore = 0;
        let result: WrkResult & { cpuUs: number; exported: number };
        try {
          const url = `http://127.0.0.1:${running.port}/`;
          await runWrk({ url, tokensFile, connections, threads: 2, durationS: 2, workDir: dir, wrap: pin.load }); // warm-up
          const pid = running.child.pid as number;
          const before = treeCpuSeconds(pid);
          spansBefore = receiver.spans();
          const measured = await runWrk({ url, tokensFile, connections, threads: 2, durationS: seconds, workDir: dir, wrap: pin.load });
          result = { ...measured, cpuUs: ((treeCpuSeconds(pid) - before) * 1e6) / Math.max(1, measured.requests), exported: receiver.spans() - spansBefore };
        } finally {
          await running.stop(); // SIGTERM: the gateway exports what it still holds
        }
        // the spans of the window that were still queued went out at SIGTERM: counted as exported too
        result.exported = receiver.spans() - spansBefore;
        results.set(target, [...(results.get(target) ?? []), result]);
        const exported = target === 'tracing on, 100 % sampled + export' ? `  spans received ≈${result.exported} (${((100 * result.exported) / Math.max(1, result.requests)).toFixed(0)} % of requests)` : '';
        console.log(`  run ${r + 1} ${target.padEnd(36)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${result.p99Ms.toFixed(2)} ms  CPU ${result.cpuUs.toFixed(1)} µs/req  non-2xx ${result.non2xx}  errors ${result.socketErrors}${exported}`);
      }
    }
  } finally {
    await receiver.close();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const m = (target: Target, field: 'requestsPerSecond' | 'p99Ms' | 'cpuUs') => median((results.get(target) ?? []).map((x) => x[field]));
  console.log(`\nmedians of ${runs} runs:`);
  console.log('| target | req/s | p99 ms | CPU µs/req | req/s ÷ tracing off | CPU µs/req ÷ tracing off |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const target of targets) {
    console.log(`| ${target} | ${m(target, 'requestsPerSecond').toFixed(0)} | ${m(target, 'p99Ms').toFixed(2)} | ${m(target, 'cpuUs').toFixed(1)} | ${(m(target, 'requestsPerSecond') / m('tracing off', 'requestsPerSecond')).toFixed(2)} | ${(m(target, 'cpuUs') / m('tracing off', 'cpuUs')).toFixed(2)} |`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run();
}
