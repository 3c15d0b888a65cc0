/**
 * One JSON line per request (pino): time, method, path (without query string: it may carry tokens),
 * status, bytes, duration, frontend, route, backend, upstream server, client address, subject.
 * Headers are never logged, so Authorization and cookies cannot leak.
 */
import type { Logger } from '../../shared/logger.js';

export interface AccessRecord {
  method: string;
  path: string;
  status: number;
  bytes: number;
  duration_ms: number;
  frontend: string;
  route: string;
  backend: string | undefined;
  server: string | undefined;
  client: string | undefined;
  sub: string | undefined;
  error: string | undefined;
}

export type AccessLog = (record: AccessRecord) => void;

export function noAccessLog(_record: AccessRecord): void {}

export function createAccessLog(logger: Logger): AccessLog {
  const access = logger.child({ log: 'access' });
  return (record) => access.info(record);
}
