/**
 * `gatehouse echo` — runs the sample service alone: every request is answered with what it looked like
 * on arrival (headers, claim headers a gateway added, body), as text or as JSON (`Accept: application/json`).
 */
import { parseArgs } from 'node:util';
import { startEcho } from '../../echo/index.js';
import { createLogger } from '../../shared/logger.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { parsePort } from '../up/flags.js';
import { explainListenError } from '../up/ports.js';
import { waitForStopSignal } from '../up/signals.js';

export const DEFAULT_ECHO_PORT = 9001;

const HELP = `Usage: gatehouse echo [flags]

Runs the sample HTTP service that answers every request with a description of it: method, path, headers
(Authorization and Cookie values shortened), the claim headers a gateway forwarded, and the body.
Text by default; JSON with "Accept: application/json" or "?format=json". GET /health answers "ok".

Flags:
  --port <port>   port to listen on (default ${DEFAULT_ECHO_PORT}; 0 picks a free one)
  --host <addr>   interface to listen on (default 127.0.0.1)
  --name <name>   name shown in every answer and in the X-Echo-Server header (default "echo")
  -h, --help      show this help
`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        name: { type: 'string', default: 'echo' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new GatehouseError(ErrorCode.USAGE, `${(error as Error).message}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = parsePort(values.port, '--port', DEFAULT_ECHO_PORT);
  const logger = createLogger({ name: 'echo' });
  const echo = await startEcho({ host: values.host, port, name: values.name, logger }).catch((error: unknown) => {
    throw explainListenError(error, { what: 'echo service', host: values.host, port, flag: '--port' });
  });
  console.error(`gatehouse echo: listening on ${echo.url} (Ctrl-C to stop)`);
  await waitForStopSignal();
  await echo.close();
  return 0;
}
