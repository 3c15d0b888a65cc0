/** Flag values shared by `gatehouse up` and `gatehouse echo`, checked once with the flag's name in the message. */
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export function parsePort(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new GatehouseError(ErrorCode.USAGE, `${flag}: expected a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

export function parseWorkers(value: string | undefined): number | 'auto' {
  if (value === undefined) return 1;
  if (value === 'auto') return 'auto';
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > 256) {
    throw new GatehouseError(ErrorCode.USAGE, `--workers: expected "auto" or a number from 1 to 256, got "${value}"`);
  }
  return workers;
}

export function parseDatabaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^postgres(?:ql)?:\/\//.test(value)) {
    throw new GatehouseError(ErrorCode.USAGE, '--database: expected a postgres:// URL (without it, SQLite under the data directory is used)');
  }
  return value;
}
