/** Flags shared by `gatehouse gateway` and `gatehouse check`. */
import { parseArgs } from 'node:util';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export interface GatewayArgs {
  readonly configPath: string;
  readonly workers: number | 'auto' | undefined;
  readonly help: boolean;
  /** haproxy.cfg: untranslatable statements are warnings, not errors. */
  readonly lenient: boolean;
}

export function parseGatewayArgs(argv: string[], command: string): GatewayArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, workers: { type: 'string', short: 'w' }, help: { type: 'boolean', short: 'h' }, lenient: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    throw new GatehouseError(ErrorCode.USAGE, `${command}: ${(error as Error).message}`);
  }
  if (values.help === true) return { configPath: '', workers: undefined, help: true, lenient: false };
  // read by config/load.ts on every load (reloads, and cluster workers, which inherit the environment)
  if (values.lenient === true) process.env.GATEHOUSE_HAPROXY_LENIENT = '1';
  const configPath = values.config ?? process.env.GATEHOUSE_CONFIG;
  if (configPath === undefined) throw new GatehouseError(ErrorCode.USAGE, `${command}: --config <file> is required`);
  let workers: number | 'auto' | undefined;
  if (values.workers !== undefined) {
    if (values.workers === 'auto') workers = 'auto';
    else if (/^\d{1,3}$/.test(values.workers) && Number(values.workers) >= 1) workers = Number(values.workers);
    else throw new GatehouseError(ErrorCode.USAGE, `${command}: --workers expects a number of workers or auto`);
  }
  return { configPath, workers, help: false, lenient: values.lenient === true };
}
