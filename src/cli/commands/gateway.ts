/**
 * `gatehouse gateway --config gatehouse.yaml [--workers N|auto]` — runs the gateway. The config is
 * validated before anything listens; an invalid one prints every problem and exits 1.
 * SIGHUP reloads the config (a bad one is refused, the old keeps serving); SIGTERM/SIGINT drain and exit.
 */
import cluster from 'node:cluster';
import { loadGatewayConfig, runCluster, startGateway, type RunningGateway } from '../../gateway/index.js';
import { checkWorkerLayout } from '../../gateway/config/index.js';
import { workerCount } from '../../gateway/runtime/cluster.js';
import { applyV8Tuning } from '../../gateway/runtime/v8-tuning.js';
import { BatchedLineWriter, startLoopStats } from '../../gateway/observe/index.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logger.js';
import { parseGatewayArgs } from './gateway-args.js';

const HELP = `Usage: gatehouse gateway --config <file> [--workers <n>|auto]

Runs the gateway from a YAML config (see docs/configuration.md) or a haproxy.cfg (docs/haproxy.md).
  -c, --config <file>   config file (or GATEHOUSE_CONFIG)
  -w, --workers <n>     worker processes: a number, or auto for one per core (overrides the config)
      --lenient         haproxy.cfg: statements without an equivalent are warnings, not errors (docs/haproxy.md)
Signals: SIGHUP reloads the config, SIGTERM drains and exits.`;

export async function run(argv: string[]): Promise<number> {
  const args = parseGatewayArgs(argv, 'gateway');
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  // before anything is allocated for serving: pretenuring off (runtime/v8-tuning.ts); a bad value exits 1
  applyV8Tuning();
  // one batched, line-atomic writer: an access line per request must not cost a write() per request
  const logger = createLogger({ name: 'gateway', destination: new BatchedLineWriter(1) as unknown as NodeJS.WritableStream });
  // GATEHOUSE_LOOP_STATS: event-loop delay and GC pauses of each process that serves (not the primary)
  if (cluster.isWorker) {
    startLoopStats();
    return runCluster({ configPath: args.configPath, workers: 1, logger });
  }
  const config = loadGatewayConfig(args.configPath);
  const workers = workerCount(args.workers ?? config.workers);
  checkWorkerLayout(config, workers);
  if (workers > 1) return runCluster({ configPath: args.configPath, workers, logger });
  startLoopStats();

  // signal handlers first: a SIGHUP that arrives while starting must not kill the process
  let running: RunningGateway | undefined;
  let stopping = false;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading config');
    running?.reload(args.configPath).catch(() => undefined);
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    if (running === undefined) return finish(0);
    running.close().then(
      () => finish(0),
      () => finish(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    running = await startGateway({ config, configPath: args.configPath, logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new GatehouseError(ErrorCode.PORT_IN_USE, `cannot listen: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  if (stopping) await running.close();
  return done;
}
