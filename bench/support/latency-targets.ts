/**
 * The latency suite's targets: Gatehouse and HAProxy 2.6 configured for one workload each — plain
 * proxying, the seed's JWT rules (RS256), or plain proxying behind TLS with HTTP/2 offered by ALPN —
 * in front of the same upstream. Gatehouse runs with GATEHOUSE_LOOP_STATS so each worker writes its
 * event-loop delay and GC pauses at exit (src/gateway/observe/loop-stats.ts); `stop()` returns them.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoopStats } from '../../src/gateway/observe/index.js';
import { freePort, startProcess } from '../../test/gateway/auth/e2e/processes.js';
import { gatehouseSeedConfig, HAPROXY, SEED_AUDIENCE, SEED_ISSUER, seedHaproxyConfig } from '../../test/gateway/auth/e2e/seed-setup.js';
import type { Pinning } from './cpu.js';
import { haproxyPreamble } from './haproxy.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export type Workload = 'plain' | 'jwt-reused' | 'jwt-many' | 'jwt-distinct' | 'h2-tls';
export type TargetName = 'gatehouse' | 'haproxy';

export interface LatencyTarget {
  readonly port: number;
  readonly pid: number;
  /** Stops the target; for Gatehouse, the loop stats of every worker. */
  stop(): Promise<LoopStats[]>;
}

export interface TargetSetup {
  readonly dir: string;
  readonly upstream: string;
  readonly cores: number;
  readonly pin: Pinning;
  /** For the JWT workloads: the PEM public key file. */
  readonly pubkey: string;
  /** For h2-tls: certificate and key files, and the two in one file for HAProxy. */
  readonly tls: { cert: string; key: string; combined: string };
}

let serial = 0;

export async function startLatencyTarget(name: TargetName, workload: Workload, s: TargetSetup): Promise<LatencyTarget> {
  const port = await freePort();
  const jwt = workload.startsWith('jwt-');
  if (name === 'haproxy') {
    const cfg = join(s.dir, `haproxy-${workload}.cfg`);
    const bind = workload === 'h2-tls' ? `127.0.0.1:${port} ssl crt ${s.tls.combined} alpn h2,http/1.1` : `127.0.0.1:${port}`;
    writeFileSync(cfg, jwt
      ? seedHaproxyConfig({ dir: s.dir, port, upstream: s.upstream, issuer: SEED_ISSUER, audience: SEED_AUDIENCE, pubkeyPath: s.pubkey, threads: s.cores })
      : `${haproxyPreamble(s.cores)}frontend bench\n  bind ${bind}\n  default_backend up\nbackend up\n  server s1 ${s.upstream}\n`);
    const running = await startProcess(...s.pin.target(HAPROXY, ['-db', '-f', cfg]), port);
    return { port, pid: running.child.pid as number, stop: async () => (await running.stop(), []) };
  }
  const cfg = join(s.dir, `gatehouse-${workload}.yaml`);
  const tls = workload === 'h2-tls' ? `\n    tls: { cert: ${JSON.stringify(s.tls.cert)}, key: ${JSON.stringify(s.tls.key)} }` : '';
  writeFileSync(cfg, jwt
    ? gatehouseSeedConfig({ pubkeyPath: s.pubkey, upstream: s.upstream, port, workers: s.cores, accessLog: false })
    : `workers: ${s.cores}\naccess_log: false\nfrontends:\n  bench:\n    bind: "127.0.0.1:${port}"\n    default_backend: up${tls}\nbackends:\n  up: { servers: { s1: { address: "${s.upstream}" } } }\n`);
  const statsDir = join(s.dir, `loop-stats-${++serial}`);
  mkdirSync(statsDir);
  const running = await startProcess(...s.pin.target(process.execPath, [CLI, 'gateway', '--config', cfg]), port, { GATEHOUSE_LOOP_STATS: statsDir, GATEHOUSE_LOG_LEVEL: 'info' });
  // every worker listening, not just the first
  for (let i = 0; i < 200 && (running.output().match(/"frontend":"/g) ?? []).length < s.cores; i++) await new Promise((r) => setTimeout(r, 25));
  return {
    port,
    pid: running.child.pid as number,
    async stop() {
      await running.stop();
      return readdirSync(statsDir).map((f) => JSON.parse(readFileSync(join(statsDir, f), 'utf8')) as LoopStats);
    },
  };
}
