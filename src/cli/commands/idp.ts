/**
 * `gatehouse idp` — runs the identity provider (FusionAuth's API) until Ctrl-C or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { DEFAULT_PORT, startIdp, Storage } from '../../idp/index.js';
import { ADMIN_APPLICATION_ID, ADMIN_APPLICATION_NAME, ADMIN_ROLE } from '../../idp/admin/index.js';

export const DEFAULT_DATABASE = 'data/idp.sqlite';

const HELP = `Usage: gatehouse idp [flags]

Runs the FusionAuth-compatible identity provider.

Flags:
  --port <n>          port to listen on (default ${DEFAULT_PORT}, FusionAuth's; 0 = any free port)
  --host <addr>       address to listen on (default 127.0.0.1)
  --database <db>     SQLite file path or postgres://user@host:5432/db URL (default ${DEFAULT_DATABASE})
  --kickstart <file>  FusionAuth Kickstart JSON applied to a fresh database (skipped when it exists)
  --issuer <iss>      issuer of the default tenant of a fresh database (default: the server URL, http://<host>:<port>)
  --revocation-redis <url>    append revocations (logout, password change, deactivation...) to a Redis
                              stream the gateways read (revocation: in their config), e.g. redis://127.0.0.1:6379
  --revocation-prefix <p>     key prefix of that stream, as the gateways' redis.key_prefix (default gatehouse:)
  --webhook <url>             send jwt.refresh-token.revoke and user.deactivate events there (repeatable)
  --public-url <url>  the URL browsers reach this server at; links in emails start with it (default: the server URL)
  -h, --help          show this help

A fresh database without --kickstart gets a default tenant and an admin API key printed once.`;

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new GatehouseError(ErrorCode.USAGE, `--port must be a number from 0 to 65535, not "${value}"`);
  return port;
}

/** Whether the console's application exists, and whether some user holds its admin role (and so can sign in at /admin). */
async function consoleAdministrator(database: string): Promise<{ application: boolean; administrator: boolean }> {
  const storage = await Storage.open(database);
  try {
    const application = (await storage.applications.get(ADMIN_APPLICATION_ID)) !== undefined;
    const registrations = application ? await storage.registrations.find({ application_id: ADMIN_APPLICATION_ID }) : [];
    return { application, administrator: registrations.some((r) => r.roles.includes(ADMIN_ROLE)) };
  } finally {
    await storage.close();
  }
}

export function noAdministratorWarning(url: string, applicationExists: boolean): string {
  const createApplication = `    curl -X POST ${url}/api/application/${ADMIN_APPLICATION_ID} -H 'Authorization: <api key>' -H 'Content-Type: application/json' \\
      -d '{"application":{"name":"${ADMIN_APPLICATION_NAME}","roles":[{"name":"${ADMIN_ROLE}","isSuperRole":true}]}}'
`;
  return `gatehouse idp: WARNING: nobody can sign in to the admin console (${url}/admin) yet: no user has the "${ADMIN_ROLE}" role of its application (${ADMIN_APPLICATION_ID}).
  Make one with an API key, e.g. the admin key printed at the first start:
${applicationExists ? '' : createApplication}    curl -X POST ${url}/api/user/registration -H 'Authorization: <api key>' -H 'Content-Type: application/json' \\
      -d '{"user":{"email":"admin@example.com","password":"<password>"},"registration":{"applicationId":"${ADMIN_APPLICATION_ID}","roles":["${ADMIN_ROLE}"]}}'
  (npx gatehouse up makes one, with its password in <data-dir>/demo.json.)`;
}

export async function run(argv: string[]): Promise<number> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        database: { type: 'string' },
        kickstart: { type: 'string' },
        issuer: { type: 'string' },
        'revocation-redis': { type: 'string' },
        'revocation-prefix': { type: 'string' },
        webhook: { type: 'string', multiple: true },
        'public-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`gatehouse idp: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help === true) {
    console.log(HELP);
    return 0;
  }
  const idp = await startIdp({
    port: parsePort(values.port as string | undefined),
    host: (values.host as string | undefined) ?? '127.0.0.1',
    database: (values.database as string | undefined) ?? DEFAULT_DATABASE,
    ...(values.kickstart === undefined ? {} : { kickstart: values.kickstart as string }),
    ...(values.issuer === undefined ? {} : { issuer: values.issuer as string }),
    revocation: {
      ...(values['revocation-redis'] === undefined ? {} : { redis: values['revocation-redis'] as string }),
      ...(values['revocation-prefix'] === undefined ? {} : { keyPrefix: values['revocation-prefix'] as string }),
      ...(values.webhook === undefined ? {} : { webhooks: values.webhook as string[] }),
    },
    ...(values['public-url'] === undefined ? {} : { publicUrl: values['public-url'] as string }),
  });
  console.error(`gatehouse idp: listening on ${idp.url}`);
  const database = (values.database as string | undefined) ?? DEFAULT_DATABASE;
  const console_ = await consoleAdministrator(database);
  if (!console_.administrator) console.error(noAdministratorWarning(idp.url, console_.application));
  await new Promise<void>((resolve) => {
    // `on`, not `once`: a second signal while closing must not fall back to the default (kill) action.
    const stop = () => resolve();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await idp.close();
  return 0;
}
