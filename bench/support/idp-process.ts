/**
 * The identity provider as a process of its own, for bench:idp (which starts it pinned to one core): a
 * fresh SQLite database at the path given, an application with JWT enabled and one registered user. It
 * prints one JSON line `{url, adminKey, applicationId}` when ready and stops on SIGTERM.
 *
 * Usage: node dist/bench/support/idp-process.js <database path>
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/shared/logger.js';
import { startIdp } from '../../src/idp/index.js';

export const BENCH_USER = { loginId: 'bench@example.com', password: 'bench-password' };

async function main(database: string): Promise<void> {
  const logger = createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });
  let adminKey = '';
  const idp = await startIdp({ port: 0, database, logger, onAdminKey: (k) => (adminKey = k) });
  const api = async (path: string, body: unknown) => {
    const response = await fetch(`${idp.url}${path}`, { method: 'POST', headers: { authorization: adminKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return (await response.json()) as { application?: { id: string } };
  };
  const app = (await api('/api/application', { application: { name: 'Bench', jwtConfiguration: { enabled: true } } })).application!;
  await api('/api/user/registration', { user: { email: BENCH_USER.loginId, password: BENCH_USER.password }, registration: { applicationId: app.id } });
  process.on('SIGTERM', () => {
    void idp.close().then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ url: idp.url, adminKey, applicationId: app.id })}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const database = process.argv[2];
  if (database === undefined) {
    console.error('usage: idp-process.js <database path>');
    process.exitCode = 2;
  } else {
    main(database).catch((error: unknown) => {
      console.error('idp-process failed:', error);
      process.exit(1);
    });
  }
}
