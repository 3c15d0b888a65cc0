/**
 * A backend's `tls:`: its servers are dialled over TLS and their certificates verified, against the CA
 * file when one is given, else Node's bundled roots. `verify: false` is an explicit, logged opt-out.
 * The CA file is read when the config generation is built, so a missing file refuses the (re)load.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { BackendTlsConfig } from './schema.js';

/** How a backend's servers are dialled over TLS. */
export interface UpstreamTls {
  readonly ca: string | undefined;
  readonly rejectUnauthorized: boolean;
  readonly servername: string | undefined;
}

export function upstreamTls(backend: string, config: BackendTlsConfig | undefined, baseDir: string, logger: Logger): UpstreamTls | undefined {
  if (config === undefined) return undefined;
  const options = config;
  let ca: string | undefined;
  if (options.ca !== undefined) {
    const file = resolve(baseDir, options.ca);
    try {
      ca = readFileSync(file, 'utf8');
    } catch (error) {
      throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `backends.${backend}.tls.ca: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `backends.${backend}.tls.ca: ${file} holds no PEM certificate`);
    }
  }
  if (!options.verify) logger.warn({ backend }, `backend ${backend}: TLS certificate verification is OFF (tls.verify: false)`);
  return { ca, rejectUnauthorized: options.verify, servername: options.servername };
}

/** node:tls connect options for a server at `host`: SNI is the configured servername, else a host name. */
export function connectOptions(tls: UpstreamTls, host: string): Record<string, unknown> {
  const servername = tls.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host);
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(servername === undefined ? {} : { servername }),
    minVersion: 'TLSv1.2',
  };
}
