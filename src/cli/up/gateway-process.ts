/**
 * `--workers N|auto`: the gateway runs as a child `gatehouse gateway --config … --workers N`, whose primary
 * forks the workers (node:cluster re-runs the entry point, so it cannot share the `up` process). Its log
 * lines go to the log file. It counts as ready when every worker has logged that it listens and the
 * frontend answers; stopping it sends SIGTERM (the primary drains its workers).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { RunningGateway } from './parts.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;
const LISTENING = /"pid":(\d+)[^\n]*"msg":"frontend \S+ listening on /g;

/** Distinct worker pids that logged "frontend … listening" after `offset` in the log file. */
function listeningWorkers(logPath: string, offset: number): number {
  const size = statSync(logPath).size;
  if (size <= offset) return 0;
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(logPath, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  const pids = new Set<string>();
  for (const match of buffer.toString('utf8').matchAll(LISTENING)) pids.add(match[1]!);
  return pids.size;
}

export async function startGatewayProcess(options: {
  configPath: string;
  workers: number | 'auto';
  probeUrl: string;
  port: number;
  logPath: string;
}): Promise<RunningGateway> {
  const expected = options.workers === 'auto' ? availableParallelism() : options.workers;
  const log = openSync(options.logPath, 'a');
  const offset = statSync(options.logPath).size;
  const child = spawn(process.execPath, [MAIN, 'gateway', '--config', options.configPath, '--workers', String(options.workers)], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal === null ? -1 : 128);
      resolve();
    }),
  );

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== null) {
      throw new GatehouseError(ErrorCode.UP_GATEWAY_START, `the gateway process exited (code ${exitCode}) before it was ready; see ${options.logPath}`);
    }
    if (listeningWorkers(options.logPath, offset) >= expected) {
      const status = await fetch(options.probeUrl).then((r) => (void r.body?.cancel(), r.status), () => 0);
      if (status !== 0) break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new GatehouseError(ErrorCode.UP_GATEWAY_START, `the gateway's ${expected} workers were not all listening within ${READY_TIMEOUT_MS / 1000}s; see ${options.logPath}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    port: options.port,
    // the primary validates the file and reloads every worker
    reload: async () => void (exitCode === null && child.kill('SIGHUP')),
    async close() {
      if (exitCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(force);
    },
  };
}
