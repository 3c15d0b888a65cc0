/**
 * Proxy benchmark (issue "Gateway core"): plain HTTP proxying, no auth, 50 connections with wrk on
 * loopback, the same tiny upstream (Debian's nginx returning 200, one worker), side by side in one run:
 *   - the upstream direct (the ceiling),
 *   - Gatehouse (`gatehouse gateway --workers N`, access log off),
 *   - HAProxy 2.6 (`nbthread N`, no log),
 *   - node http-proxy (N processes under node:cluster, keep-alive agent),
 *   - a bare Node TCP relay (N processes): each client connection relayed byte for byte over one upstream
 *     connection of its own, no HTTP parsing, no admission. Not a proxy anyone should run: the floor of
 *     what any Node process pays per proxied request (its event loop, libuv, four socket operations), to
 *     tell Node's own cost from the gateway's.
 * Each run measures every target once, in rotating order; the table shows medians over the runs and
 * the ratios to HAProxy. The machine is shared and noisy: compare the ratios of one run. CPU µs per request
 * (user + system time of the target's process tree over the measured window ÷ requests) is also shown:
 * it depends much less on what else the machine is doing than requests/s.
 *
 * Environment: GATEHOUSE_BENCH_RUNS (3), GATEHOUSE_BENCH_SECONDS (8), GATEHOUSE_BENCH_CORES (all cores),
 * GATEHOUSE_BENCH_CONNECTIONS (50), GATEHOUSE_BENCH_THREADS (wrk threads, 2).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinning, treeCpuSeconds, type Pinning } from './support/cpu.js';
import { haproxyPreamble } from './support/haproxy.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const HTTP_PROXY = fileURLToPath(new URL('../../node_modules/http-proxy/index.js', import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  /** CPU time (user + system) the target's processes used per request, in µs: robust to a noisy machine. */
  cpuUs: number;
}

interface Target {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function startProcess(name: string, command: string, args: string[], port: number, ready?: (output: string) => boolean): Promise<Target> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-50_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${output}`);
    if ((await canConnect(port)) && (ready === undefined || ready(output))) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    name,
    port,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
}

function wrk(port: number, seconds: number, connections: number, threads: number, pin: Pinning): Promise<Measured> {
  const [command, args] = pin.load('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`]);
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      if (error) return reject(error);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(stdout);
      const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
      const total = /(\d+) requests in/.exec(stdout);
      const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
      if (rps === null || p50 === null || p99 === null) return reject(new Error(`cannot parse wrk output:\n${stdout}`));
      resolve({
        rps: Number(rps[1]),
        p50: toMs(p50[1] as string, p50[2] as string),
        p99: toMs(p99[1] as string, p99[2] as string),
        errors: (errors === null ? 0 : errors.slice(1).reduce((n, v) => n + Number(v), 0)) + (non2xx === null ? 0 : Number(non2xx[1])),
        requests: total === null ? 0 : Number(total[1]),
        cpuUs: 0,
      });
    });
  });
}

async function startNginx(dir: string, pin: Pinning): Promise<Target> {
  const port = await freePort();
  const root = join(dir, 'nginx');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'nginx.conf'), `worker_processes 1;
daemon off;
pid ${root}/nginx.pid;
error_log ${root}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${root}/body; proxy_temp_path ${root}/proxy; fastcgi_temp_path ${root}/fastcgi;
  uwsgi_temp_path ${root}/uwsgi; scgi_temp_path ${root}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  server { listen 127.0.0.1:${port}; location / { return 200 'ok'; } }
}
`);
  return startProcess('upstream direct (nginx)', ...pin.load('/usr/sbin/nginx', ['-p', root, '-c', join(root, 'nginx.conf')]), port);
}

async function startGatehouse(dir: string, upstream: number, cores: number, pin: Pinning): Promise<Target> {
  const port = await freePort();
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(config, `access_log: false
frontends:
  bench: { bind: "127.0.0.1:${port}", default_backend: nginx }
backends:
  nginx: { servers: { s1: { address: "127.0.0.1:${upstream}" } } }
`);
  const ready = (output: string) => (output.match(/"frontend":"bench"/g) ?? []).length >= cores;
  return startProcess(`Gatehouse (${cores} workers)`, ...pin.target(process.execPath, [CLI, 'gateway', '--config', config, '--workers', String(cores)]), port, ready);
}

async function startHaproxy(dir: string, upstream: number, cores: number, pin: Pinning): Promise<Target> {
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, `${haproxyPreamble(cores)}frontend bench
  bind 127.0.0.1:${port}
  default_backend nginx
backend nginx
  server s1 127.0.0.1:${upstream}
`);
  return startProcess(`HAProxy 2.6 (nbthread ${cores})`, ...pin.target('/usr/sbin/haproxy', ['-f', config, '-db']), port);
}

async function startHttpProxy(dir: string, upstream: number, cores: number, pin: Pinning): Promise<Target> {
  const port = await freePort();
  const script = join(dir, 'http-proxy-peer.cjs');
  writeFileSync(script, `const cluster = require('node:cluster');
if (cluster.isPrimary) { for (let i = 0; i < ${cores}; i++) cluster.fork(); }
else {
  const http = require('node:http');
  const httpProxy = require(${JSON.stringify(HTTP_PROXY)});
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const proxy = httpProxy.createProxyServer({ target: 'http://127.0.0.1:${upstream}', agent, xfwd: true });
  proxy.on('error', (e, req, res) => { res.writeHead(502); res.end(); });
  http.createServer((req, res) => proxy.web(req, res)).listen(${port}, '127.0.0.1');
}
`);
  return startProcess(`node http-proxy (${cores} processes)`, ...pin.target(process.execPath, [script]), port);
}

async function startNodeRelay(dir: string, upstream: number, cores: number, pin: Pinning): Promise<Target> {
  const port = await freePort();
  const script = join(dir, 'node-relay.cjs');
  writeFileSync(script, `const cluster = require('node:cluster');
if (cluster.isPrimary) { for (let i = 0; i < ${cores}; i++) cluster.fork(); }
else {
  const net = require('node:net');
  net.createServer({ noDelay: true }, (client) => {
    const up = net.connect({ host: '127.0.0.1', port: ${upstream}, noDelay: true });
    client.on('data', (d) => up.write(d));
    up.on('data', (d) => client.write(d));
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  }).listen(${port}, '127.0.0.1');
}
`);
  return startProcess(`bare Node TCP relay (${cores} processes)`, ...pin.target(process.execPath, [script]), port);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

export async function run(): Promise<void> {
  const runs = env('GATEHOUSE_BENCH_RUNS', 3);
  const seconds = env('GATEHOUSE_BENCH_SECONDS', 8);
  const cores = env('GATEHOUSE_BENCH_CORES', availableParallelism());
  const connections = env('GATEHOUSE_BENCH_CONNECTIONS', 50);
  const threads = env('GATEHOUSE_BENCH_THREADS', 2);
  const pin = pinning(cores);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  console.log(`proxy benchmark: wrk -t${threads} -c${connections} -d${seconds}s --latency, ${runs} runs, ${cores} cores for each proxy, upstream nginx (1 worker), ${pin.description}`);
  console.log('the machine is shared and noisy: compare ratios within this run, not absolute numbers across runs\n');
  const nginx = await startNginx(dir, pin);
  const starters: Array<() => Promise<Target>> = [
    async () => ({ ...nginx, stop: async () => undefined }),
    () => startGatehouse(dir, nginx.port, cores, pin),
    () => startHaproxy(dir, nginx.port, cores, pin),
    () => startHttpProxy(dir, nginx.port, cores, pin),
    () => startNodeRelay(dir, nginx.port, cores, pin),
  ];
  const names: string[] = [];
  const results: Measured[][] = starters.map(() => []);
  try {
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < starters.length; k++) {
        const i = (k + r) % starters.length;
        const target = await (starters[i] as () => Promise<Target>)();
        names[i] = target.name;
        try {
          await wrk(target.port, 2, connections, threads, pin); // warm-up: pools, JIT
          const cpuBefore = treeCpuSeconds(target.pid);
          const measured = await wrk(target.port, seconds, connections, threads, pin);
          measured.cpuUs = ((treeCpuSeconds(target.pid) - cpuBefore) * 1e6) / Math.max(1, measured.requests);
          (results[i] as Measured[]).push(measured);
          console.log(`  run ${r + 1}: ${target.name.padEnd(32)} ${measured.rps.toFixed(0).padStart(7)} req/s  p99 ${measured.p99.toFixed(2)} ms  CPU ${measured.cpuUs.toFixed(1)} µs/req${measured.errors > 0 ? `  (${measured.errors} errors)` : ''}`);
        } finally {
          await target.stop();
        }
      }
    }
  } finally {
    await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = results.map((list) => ({
    rps: median(list.map((m) => m.rps)),
    p50: median(list.map((m) => m.p50)),
    p99: median(list.map((m) => m.p99)),
    cpuUs: median(list.map((m) => m.cpuUs)),
    errors: list.reduce((n, m) => n + m.errors, 0),
  }));
  const haproxy = summary[2] as { rps: number; p99: number; cpuUs: number };
  console.log(`\nmedians of ${runs} runs:`);
  console.log(`| target | req/s | p50 ms | p99 ms | CPU µs/req | req/s ÷ HAProxy | p99 ÷ HAProxy | HAProxy CPU ÷ CPU | errors |`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|`);
  summary.forEach((s, i) => {
    console.log(
      `| ${names[i]} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.cpuUs.toFixed(1)} | ${(s.rps / haproxy.rps).toFixed(2)} | ${(s.p99 / haproxy.p99).toFixed(2)} | ${(haproxy.cpuUs / s.cpuUs).toFixed(2)} | ${s.errors} |`,
    );
  });
  const gatehouse = summary[1] as { rps: number; p99: number };
  const rpsOk = gatehouse.rps >= 0.5 * haproxy.rps;
  const p99Ok = gatehouse.p99 <= 2 * haproxy.p99;
  console.log(`\ntarget: Gatehouse ≥ 0.5× HAProxy req/s: ${rpsOk ? 'met' : 'NOT met'} (${(gatehouse.rps / haproxy.rps).toFixed(2)}×); p99 within 2×: ${p99Ok ? 'met' : 'NOT met'} (${(gatehouse.p99 / haproxy.p99).toFixed(2)}×)`);
}
