/**
 * One JSON line per request: time, method, path (without query string: it may carry tokens), status,
 * bytes, duration, frontend, route, backend, upstream server, client address, subject, error, request ID.
 * Headers are never logged, so Authorization and cookies cannot leak.
 *
 * The line is written by hand into the logger's own destination (same stream, same pino line shape:
 * level 30, time, pid, name) instead of through pino: the shared logger's redaction makes a pino call cost
 * ~30 µs, more than the rest of the request path, and an access record holds nothing to redact.
 */
import { pino } from 'pino';
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
  /** With `request_id` on the frontend: the request's ID. */
  request_id?: string | undefined;
}

export type AccessLog = (record: AccessRecord) => void;

export function noAccessLog(_record: AccessRecord): void {}

const str = JSON.stringify;

function optional(name: string, value: string | undefined): string {
  return value === undefined ? '' : `,"${name}":${str(value)}`;
}

export function formatAccessLine(prefix: string, r: AccessRecord): string {
  return `{"level":30,"time":"${new Date().toISOString()}"${prefix},"method":${str(r.method)},"path":${str(r.path)},"status":${r.status},"bytes":${r.bytes},"duration_ms":${r.duration_ms},"frontend":${str(r.frontend)},"route":${str(r.route)}${optional('backend', r.backend)}${optional('server', r.server)}${optional('client', r.client)}${optional('sub', r.sub)}${optional('error', r.error)}${optional('request_id', r.request_id)}}\n`;
}

export function createAccessLog(logger: Logger): AccessLog {
  if (!logger.isLevelEnabled('info')) return noAccessLog;
  const stream = (logger as unknown as Record<symbol, { write(line: string): unknown }>)[pino.symbols.streamSym];
  if (stream === undefined) {
    const access = logger.child({ log: 'access' });
    return (record) => access.info(record);
  }
  const bindings = logger.bindings();
  const name = typeof bindings.name === 'string' ? `,"name":${str(bindings.name)}` : '';
  const prefix = `,"pid":${process.pid}${name},"log":"access"`;
  return (record) => {
    stream.write(formatAccessLine(prefix, record));
  };
}
