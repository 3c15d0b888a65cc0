/** The flags of `gatehouse up`, parsed and checked once; the help text lists every one with its default. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { parseDatabase, parsePort, parseWorkers } from './flags.js';

export const UP_DEFAULTS = {
  gatewayPort: 8080,
  httpsPort: 8443,
  idpPort: 9011,
  echoPort: 9001,
  dataDir: './data',
  host: '127.0.0.1',
} as const;

export interface UpOptions {
  readonly gatewayPort: number;
  readonly idpPort: number;
  readonly echoPort: number;
  /** Absolute path of the data directory. */
  readonly dataDir: string;
  /** postgres:// URL or SQLite file path for the identity provider; <data-dir>/idp.sqlite when absent. */
  readonly database?: string;
  readonly workers: number | 'auto';
  /** Interface every part listens on. */
  readonly host: string;
  /** --tls: the gateway also serves HTTPS (HTTP/2 and HTTP/1.1) on this port, with a local CA. */
  readonly httpsPort?: number;
}

export const UP_HELP = `Usage: gatehouse up [flags]        (npm start runs this)

Runs the seed's whole system in one command: the identity provider (FusionAuth's API), the echo sample
service, and the gateway in front of it enforcing the seed's six JWT checks. The first start creates a
tenant (issuer = the identity provider's URL), an application with RS256 keys, an API key allowed to
POST /api/login and a demo user, and writes to the data directory:
  demo.json       issuer, applicationId, apiKey, loginId, password, gatewayUrl, idpUrl (for scripts),
                  adminLoginId, adminPassword (the admin console at <idp>/admin)
  pubkey.pem      the application's public key (the seed's static-key set-up)
  gatehouse.yaml  a gateway config using pubkey.pem: npx gatehouse gateway --config <data-dir>/gatehouse.yaml
  haproxy.cfg     the seed's haproxy.cfg, which Gatehouse runs as it is: npx gatehouse gateway --config <data-dir>/haproxy.cfg
  gatehouse.log   the JSON log of every part
  (and kickstart.json, gatehouse-jwks.yaml, idp.sqlite)
Later starts reuse all of it. Ctrl-C stops everything. With npm, flags go after --:
  npm start -- --gateway-port 8081

Flags:
  --gateway-port <port>  gateway port (default ${UP_DEFAULTS.gatewayPort})
  --idp-port <port>      identity provider port (default ${UP_DEFAULTS.idpPort}); the issuer is fixed at the first start
  --echo-port <port>     echo service port (default ${UP_DEFAULTS.echoPort})
  --data-dir <dir>       data directory (default ${UP_DEFAULTS.dataDir})
  --database <url|file>  postgres://user@host:5432/db, or an SQLite file, for the identity provider
                         (default: SQLite <data-dir>/idp.sqlite)
  --workers <n|auto>     gateway worker processes (default 1; auto = one per core)
  --host <addr>          interface every part listens on (default ${UP_DEFAULTS.host}; 0.0.0.0 for all)
  --tls                  also serve the gateway over HTTPS: makes a local CA and a localhost certificate in
                         <data-dir>/tls (ca.pem is what curl --cacert needs)
  --https-port <port>    the gateway's HTTPS port with --tls (default ${UP_DEFAULTS.httpsPort})
  -h, --help             show this help
`;

/** Returns undefined when --help was asked for (the caller prints UP_HELP). */
export function parseUpOptions(argv: readonly string[], cwd: string = process.cwd()): UpOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'gateway-port': { type: 'string' },
        'idp-port': { type: 'string' },
        'echo-port': { type: 'string' },
        'data-dir': { type: 'string' },
        database: { type: 'string' },
        workers: { type: 'string' },
        host: { type: 'string' },
        tls: { type: 'boolean', default: false },
        'https-port': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new GatehouseError(ErrorCode.USAGE, `${(error as Error).message}; see npx gatehouse up --help`);
  }
  if (values.help) return undefined;
  const dataDir = values['data-dir'] ?? UP_DEFAULTS.dataDir;
  if (dataDir.trim() === '') throw new GatehouseError(ErrorCode.USAGE, '--data-dir: expected a directory path');
  const database = parseDatabase(values.database, cwd);
  const idpPort = parsePort(values['idp-port'], '--idp-port', UP_DEFAULTS.idpPort);
  if (idpPort === 0) throw new GatehouseError(ErrorCode.USAGE, '--idp-port: give a fixed port (the issuer URL is made from it)');
  const gatewayPort = parsePort(values['gateway-port'], '--gateway-port', UP_DEFAULTS.gatewayPort);
  const workers = parseWorkers(values.workers);
  if (values['https-port'] !== undefined && values.tls !== true) throw new GatehouseError(ErrorCode.USAGE, '--https-port: only with --tls');
  const httpsPort = values.tls === true ? parsePort(values['https-port'], '--https-port', UP_DEFAULTS.httpsPort) : undefined;
  if (httpsPort === 0) throw new GatehouseError(ErrorCode.USAGE, '--https-port: give a fixed port (the printed commands use it)');
  if (workers !== 1 && gatewayPort === 0) throw new GatehouseError(ErrorCode.USAGE, '--gateway-port: give a fixed port when --workers is not 1');
  return {
    gatewayPort,
    idpPort,
    echoPort: parsePort(values['echo-port'], '--echo-port', UP_DEFAULTS.echoPort),
    dataDir: resolve(cwd, dataDir),
    ...(database === undefined ? {} : { database }),
    workers,
    host: values.host ?? UP_DEFAULTS.host,
    ...(httpsPort === undefined ? {} : { httpsPort }),
  };
}
