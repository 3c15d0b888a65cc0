/** The slice of a pino logger the auth code uses; the default writes nothing. Never log a token or key. */
export interface AuthLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

function nothing(): void {}

export const SILENT_LOGGER: AuthLogger = Object.freeze({ debug: nothing, info: nothing, warn: nothing });
