/** Flag values shared by `gatehouse up` and `gatehouse echo`, checked once with the flag's name in the message. */
import { resolve } from 'node:path';
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

/** `--database`: a postgres:// URL, or an SQLite file path (resolved against the working directory). */
export function parseDatabase(value: string | undefined, cwd: string): string | undefined {
  if (value === undefined) return undefined;
  if (/^postgres(?:ql)?:\/\//.test(value)) return value;
  if (value.trim() === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new GatehouseError(ErrorCode.USAGE, '--database: expected a postgres:// URL or an SQLite file path (without it, <data-dir>/idp.sqlite is used)');
  }
  return resolve(cwd, value);
}
