/**
 * The three parts `up` runs, behind the small surface `up` needs from each. With more than one gateway
 * worker the gateway runs as `gatehouse gateway --workers N` in a child process (./gateway-process.ts),
 * since node:cluster forks re-run the entry point.
 */
import type { Logger } from '../../shared/logger.js';
import { startEcho } from '../../echo/index.js';
import { startGateway } from '../../gateway/index.js';
import { startIdp } from '../../idp/index.js';

export interface RunningPart {
  close(): Promise<void>;
}

export interface RunningIdp extends RunningPart {
  readonly url: string;
  readonly port: number;
  /** True when this start found an empty database and applied the kickstart. */
  readonly fresh: boolean;
}

export interface RunningGateway extends RunningPart {
  readonly port: number;
  /** Re-reads its config file (a bad one is refused and the old config keeps serving). */
  reload(): Promise<void>;
}

export interface IdpStart {
  readonly host: string;
  readonly port: number;
  /** SQLite file path or postgres:// URL. */
  readonly database: string;
  /** Path of a kickstart JSON file, applied only to a fresh database. */
  readonly kickstartPath: string;
  readonly logger: Logger;
  /** The URL browsers use (the links in emails start with it). */
  readonly publicUrl?: string;
  /** The development mailbox folder, listed by the admin console at /admin/mail. */
  readonly devMailbox?: string;
}

export async function startIdpPart(options: IdpStart): Promise<RunningIdp> {
  const running = await startIdp({
    host: options.host,
    port: options.port,
    database: options.database,
    kickstart: options.kickstartPath,
    logger: options.logger,
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    ...(options.devMailbox === undefined ? {} : { devMailbox: options.devMailbox }),
    // with a kickstart no admin key is made; should one ever be, it is not printed into the walkthrough
    onAdminKey: () => undefined,
  });
  return { url: running.url, port: running.port, fresh: running.initialization.fresh, close: () => running.close() };
}

/** One worker: the gateway runs in this process. */
export async function startGatewayPart(configPath: string, logger: Logger): Promise<RunningGateway> {
  const running = await startGateway({ configPath, logger });
  const port = running.frontends[0]?.port ?? 0;
  return { port, close: () => running.close(), reload: () => running.reload(configPath) };
}

export async function startEchoPart(host: string, port: number, logger: Logger): Promise<RunningPart & { port: number; url: string }> {
  return startEcho({ host, port, name: 'echo', logger });
}
