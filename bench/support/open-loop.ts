/** Runs bench/support/open-loop-client.js in its own process (optionally pinned) and reads its result. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientOptions, ClientResult } from './open-loop-client.js';
import { LatencyHistogram } from './histogram.js';
import type { LoadResult } from './load-result.js';

const CLIENT = fileURLToPath(new URL('./open-loop-client.js', import.meta.url));

export type OpenLoopResult = Omit<ClientResult, 'clientLagMaxMs'> & LoadResult;

export function runOpenLoop(options: ClientOptions, wrap: (command: string, args: string[]) => [string, string[]] = (c, a) => [c, a]): Promise<OpenLoopResult> {
  const [command, args] = wrap(process.execPath, [CLIENT, JSON.stringify(options)]);
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: (options.seconds + options.warmupSeconds + 60) * 1000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`open-loop client failed: ${error.message}\n${stderr}`));
      const result = JSON.parse(stdout) as ClientResult;
      const h = new LatencyHistogram();
      h.merge(result.histogram);
      const ms = (us: number) => us / 1000;
      resolve({
        ...result, generator: 'node', p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), p999Ms: ms(h.percentile(99.9)), maxMs: ms(h.maxUs),
        expected: result.scheduled, errors: result.errors + result.non2xx + result.unanswered, lagLimitMs: 10,
      });
    });
  });
}
