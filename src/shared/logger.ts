import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths that may hold secrets. pino replaces them before a line is written, so a token, password,
 * key or API key value never reaches a log even when a caller logs a whole object by mistake.
 */
export const REDACTED_PATHS = [
  'authorization',
  'password',
  'token',
  'refreshToken',
  'privateKey',
  'secret',
  'clientSecret',
  'apiKey',
  'key.key',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.authorization',
  '*.password',
  '*.token',
  '*.refreshToken',
  '*.privateKey',
  '*.secret',
  '*.clientSecret',
];

export interface LoggerSettings {
  level?: string;
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read lines back. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.GATEHOUSE_LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: settings.name === undefined ? { pid: process.pid } : { pid: process.pid, name: settings.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination === undefined ? pino(options) : pino(options, settings.destination);
}
