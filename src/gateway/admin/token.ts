/**
 * The admin API's bearer token (`admin.token: { env: NAME }` or `{ file: path }`), read once at start.
 * Never inline in the config file, never logged; a token shorter than 16 characters is refused.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { GatewayConfig } from '../config/index.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

const MIN_LENGTH = 16;

export function adminToken(config: GatewayConfig): string | undefined {
  const ref = config.admin?.token;
  if (ref === undefined) return undefined;
  let value: string;
  if (ref.env !== undefined) {
    value = process.env[ref.env] ?? '';
    if (value === '') throw new GatehouseError(ErrorCode.CONFIG_INVALID, `admin.token.env: environment variable ${ref.env} is not set`);
  } else {
    const file = isAbsolute(ref.file as string) ? (ref.file as string) : resolve(config.baseDir, ref.file as string);
    try {
      value = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new GatehouseError(ErrorCode.CONFIG_INVALID, `admin.token.file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (value.length < MIN_LENGTH || !/^[!-~]+$/.test(value)) {
    throw new GatehouseError(ErrorCode.CONFIG_INVALID, `admin.token: the token must be at least ${MIN_LENGTH} visible ASCII characters without spaces`);
  }
  return value;
}
