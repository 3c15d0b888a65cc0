/**
 * TLS benchmark (issue "TLS on the gateway"): Gatehouse and HAProxy 2.6 terminating TLS with the same
 * certificate (ECDSA P-256, TLS 1.3 negotiated by wrk's OpenSSL), in front of the same upstream (nginx
 * answering 200 "ok"), side by side in one run, two loads each:
 *   - keep-alive: `wrk -t2 -c50` over HTTPS, requests/s on established TLS connections;
 *   - new handshakes: the same with `Connection: close`, so every request is a new TCP connection and a
 *     full TLS handshake (wrk does not resume sessions): requests/s = handshakes/s;
 *   - full and resumed handshakes with `openssl s_time -new` / `-reuse` (GATEHOUSE_BENCH_STIME parallel
 *     copies, 4), so session resumption (tickets shared by Gatehouse's workers) is measured with one client.
 * A third target, a bare Node TLS relay (N processes, a listening socket each, the same ticket keys), relays
 * each TLS connection's bytes 1:1 over an upstream connection of its own, with no HTTP parsing and no
 * admission: not a proxy anyone should run, but the floor of Node's TLS path, to tell Node's own cost from
 * the gateway's.
 * Gatehouse runs `--workers N`, HAProxy `nbthread N`. Each measurement starts its target fresh, warms up
 * 1 s, and the targets rotate order per run; medians over the runs and the ratios to HAProxy are printed.
 * The machine is shared and noisy: compare the ratios of one run.
 *
 * Environment: GATEHOUSE_BENCH_RUNS (3), GATEHOUSE_BENCH_SECONDS (8), GATEHOUSE_BENCH_CORES (all cores),
 * GATEHOUSE_BENCH_CONNECTIONS (50), GATEHOUSE_BENCH_THREADS (wrk threads, 2), GATEHOUSE_BENCH_STIME (4),
 * GATEHOUSE_BENCH_TLS_MODES (comma list of the modes, all), GATEHOUSE_BENCH_TLS_SERVER (`gatehouse`, the own
 * HTTP/1.1 server behind Node's TLS; `node`: node:http2's HTTP/1.1 fallback, what TLS frontends ran before).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueCertificate } from '../src/gateway/tls/local-ca.js';
import { freePort, startProcess, type Running } from '../test/gateway/auth/e2e/processes.js';
import { startUpstream } from './support/upstream.js';
import { parseWrk, type WrkResult } from './support/wrk.js';
import { haproxyPreamble } from './support/haproxy.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

interface Target extends Running {
  readonly name: string;
  readonly port: number;
}

type Mode = 'keep-alive' | 'new handshakes' | 'full (s_time)' | 'resumed (s_time)';

/**
 * `openssl s_time` (one connection at a time, `-www /`, the page read to the close) in `processes`
 * parallel copies, full handshakes (`-new`) or resumed ones (`-reuse`, the first connection's session
 * ticket): the same client for both, so the two rates compare. Connections per second summed.
 */
function sTime(port: number, seconds: number, processes: number, mode: Mode): Promise<WrkResult> {
  const args = ['s_time', '-connect', `127.0.0.1:${port}`, mode === 'resumed (s_time)' ? '-reuse' : '-new', '-www', '/', '-time', String(seconds)];
  const one = () =>
    new Promise<number>((resolve, reject) => {
      execFile('openssl', args, { timeout: (seconds + 30) * 1000, maxBuffer: 1 << 20 }, (error, stdout) => {
        const n = /(\d+) connections in [\d.]+ real seconds/.exec(stdout);
        if (n === null) return reject(new Error(`cannot read s_time output: ${error?.message ?? ''}\n${stdout}`));
        resolve(Number(n[1]));
      });
    });
  return Promise.all(Array.from({ length: processes }, one)).then((counts) => {
    const requests = counts.reduce((a, b) => a + b, 0);
    return { requestsPerSecond: requests / seconds, p50Ms: Number.NaN, p99Ms: Number.NaN, requests, non2xx: 0, socketErrors: 0 };
  });
}

function wrk(port: number, seconds: number, connections: number, threads: number, mode: Mode): Promise<WrkResult> {
  if (mode.endsWith('(s_time)')) return sTime(port, seconds, env('GATEHOUSE_BENCH_STIME', 4), mode);
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', ...(mode === 'new handshakes' ? ['-H', 'Connection: close'] : []), `https://127.0.0.1:${port}/`];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (seconds + 30) * 1000, maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) return reject(error);
      try {
        resolve(parseWrk(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}

async function startGatehouse(dir: string, upstream: string, cores: number): Promise<Target> {
  const port = await freePort();
  const config = join(dir, 'gatehouse-tls.yaml');
  const server = process.env.GATEHOUSE_BENCH_TLS_SERVER === 'node' ? 'node' : 'gatehouse';
  writeFileSync(config, `access_log: false
frontends:
  bench:
    bind: "127.0.0.1:${port}"
    server: ${server}
    default_backend: nginx
    tls: { cert: ./site.pem, key: ./site.key }
backends:
  nginx: { servers: { s1: { address: "${upstream}" } } }
`);
  const running = await startProcess(process.execPath, [CLI, 'gateway', '--config', config, '--workers', String(cores)], port, { GATEHOUSE_LOG_LEVEL: 'warn' });
  return { ...running, name: `Gatehouse TLS (${cores} workers${server === 'node' ? ', server: node' : ''})`, port };
}

async function startHaproxy(dir: string, upstream: string, cores: number): Promise<Target> {
  const port = await freePort();
  const config = join(dir, 'haproxy-tls.cfg');
  writeFileSync(config, `${haproxyPreamble(cores, '  ssl-default-bind-options ssl-min-ver TLSv1.2\n')}frontend bench
  bind 127.0.0.1:${port} ssl crt ${join(dir, 'site-haproxy.pem')} alpn h2,http/1.1
  default_backend nginx
backend nginx
  server s1 ${upstream}
`);
  const running = await startProcess('/usr/sbin/haproxy', ['-f', config, '-db'], port);
  return { ...running, name: `HAProxy 2.6 TLS (nbthread ${cores})`, port };
}

async function startNodeTlsRelay(dir: string, upstream: string, cores: number): Promise<Target> {
  const port = await freePort();
  const [host, upstreamPort] = upstream.split(':') as [string, string];
  const script = join(dir, 'node-tls-relay.cjs');
  writeFileSync(script, `const cluster = require('node:cluster');
const { randomBytes } = require('node:crypto');
if (cluster.isPrimary) {
  const ticketKeys = randomBytes(48).toString('hex');
  for (let i = 0; i < ${cores}; i++) cluster.fork({ TICKET_KEYS: ticketKeys });
} else {
  const { readFileSync } = require('node:fs');
  const net = require('node:net');
  const tls = require('node:tls');
  const server = tls.createServer({
    cert: readFileSync(${JSON.stringify(join(dir, 'site.pem'))}),
    key: readFileSync(${JSON.stringify(join(dir, 'site.key'))}),
    ALPNProtocols: ['http/1.1'],
    ticketKeys: Buffer.from(process.env.TICKET_KEYS, 'hex'),
  }, (client) => {
    const up = net.connect({ host: ${JSON.stringify(host)}, port: ${upstreamPort}, noDelay: true });
    client.on('data', (d) => up.write(d));
    up.on('data', (d) => client.write(d));
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    up.on('end', () => client.end());
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  server.listen({ port: ${port}, host: '127.0.0.1', reusePort: true });
}
`);
  const running = await startProcess(process.execPath, [script], port);
  return { ...running, name: `bare Node TLS relay (${cores} processes)`, port };
}

/** s_time reports no latency: a dash. */
const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(2));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function run(): Promise<void> {
  const runs = env('GATEHOUSE_BENCH_RUNS', 3);
  const seconds = env('GATEHOUSE_BENCH_SECONDS', 8);
  const cores = env('GATEHOUSE_BENCH_CORES', availableParallelism());
  const connections = env('GATEHOUSE_BENCH_CONNECTIONS', 50);
  const threads = env('GATEHOUSE_BENCH_THREADS', 2);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tls-'));
  const ca = issueCertificate({ commonName: 'Bench CA' });
  const site = issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], issuer: ca });
  writeFileSync(join(dir, 'site.pem'), site.cert);
  writeFileSync(join(dir, 'site.key'), site.key, { mode: 0o600 });
  writeFileSync(join(dir, 'site-haproxy.pem'), site.cert + site.key, { mode: 0o600 });
  console.log(`TLS benchmark: wrk -t${threads} -c${connections} -d${seconds}s over HTTPS (keep-alive, and Connection: close = one full handshake per request), ${runs} runs, ${cores} cores each, same ECDSA P-256 certificate, upstream nginx`);
  console.log('the machine is shared and noisy: compare ratios within this run, not absolute numbers across runs\n');
  const upstream = await startUpstream(dir);
  const starters = [() => startGatehouse(dir, upstream.address, cores), () => startHaproxy(dir, upstream.address, cores), () => startNodeTlsRelay(dir, upstream.address, cores)];
  const modes = (process.env.GATEHOUSE_BENCH_TLS_MODES?.split(',') ?? ['keep-alive', 'new handshakes', 'full (s_time)', 'resumed (s_time)']) as Mode[];
  const names: string[] = [];
  const results = new Map<string, WrkResult[]>();
  try {
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < starters.length; k++) {
        const i = (k + r) % starters.length;
        for (const mode of modes) {
          const target = await (starters[i] as () => Promise<Target>)();
          names[i] = target.name;
          try {
            await wrk(target.port, 1, connections, threads, mode);
            const measured = await wrk(target.port, seconds, connections, threads, mode);
            const key = `${i}\u0000${mode}`;
            results.set(key, [...(results.get(key) ?? []), measured]);
            const errors = measured.non2xx + measured.socketErrors;
            console.log(`  run ${r + 1}: ${target.name.padEnd(30)} ${mode.padEnd(15)} ${measured.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${ms(measured.p99Ms)} ms${errors > 0 ? `  (${errors} errors)` : ''}`);
          } finally {
            await target.stop();
          }
        }
      }
    }
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nmedians of ${runs} runs:`);
  console.log('| target | load | req/s | p50 ms | p99 ms | req/s ÷ HAProxy | errors |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const mode of modes) {
    const summary = names.map((_, i) => {
      const list = results.get(`${i}\u0000${mode}`) ?? [];
      return {
        rps: median(list.map((m) => m.requestsPerSecond)),
        p50: median(list.map((m) => m.p50Ms)),
        p99: median(list.map((m) => m.p99Ms)),
        errors: list.reduce((n, m) => n + m.non2xx + m.socketErrors, 0),
      };
    });
    const haproxy = summary[1] as { rps: number };
    summary.forEach((s, i) => {
      console.log(`| ${names[i]} | ${mode} | ${s.rps.toFixed(0)} | ${ms(s.p50)} | ${ms(s.p99)} | ${(s.rps / haproxy.rps).toFixed(2)} | ${s.errors} |`);
    });
  }
}
