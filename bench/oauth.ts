/**
 * `npm run bench:oauth` — the OAuth token endpoint on this machine, side by side in one run:
 *  - GET /.well-known/jwks.json (a pre-serialised document: the HTTP ceiling of this server);
 *  - POST /oauth2/token grant_type=client_credentials with Basic client auth (storage reads + one RS256
 *    signature per request);
 *  - POST /oauth2/introspect of that token (one RS256 verification + revocation lookups).
 * HTTP load comes from autocannon over loopback. Each figure is the median of `--runs` runs (default 3).
 * The machine is shared and noisy: compare the ratios, not absolute numbers across runs.
 *
 * Usage: node dist/bench/oauth.js [--runs N] [--seconds S] [--connections C]
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../src/shared/logger.js';
import { startIdp } from '../src/idp/index.js';

interface AutocannonResult {
  requests: { average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '3' }, seconds: { type: 'string', default: '3' }, connections: { type: 'string', default: '8' } } });
  const runs = Number(values.runs);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-oauth-'));
  const logger = createLogger({ name: 'bench', level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });
  let adminKey = '';
  const idp = await startIdp({ port: 0, database: join(dir, 'bench.sqlite'), logger, onAdminKey: (k) => (adminKey = k) });
  try {
    const api = async (path: string, body: unknown) => {
      const r = await fetch(`${idp.url}${path}`, { method: 'POST', headers: { authorization: adminKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as { application: { oauthConfiguration: { clientSecret: string } } };
    };
    const clientId = randomUUID();
    const serviceId = randomUUID();
    await api(`/api/application/${serviceId}`, { application: { name: 'Service', oauthConfiguration: { entityGrants: [{ recipientEntityId: clientId, permissions: ['read'] }] } } });
    const client = await api(`/api/application/${clientId}`, { application: { name: 'Client', jwtConfiguration: { enabled: true }, oauthConfiguration: { enabledGrants: ['client_credentials'] } } });
    const authorization = `Basic ${Buffer.from(`${clientId}:${client.application.oauthConfiguration.clientSecret}`).toString('base64')}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization };
    const tokenBody = `grant_type=client_credentials&scope=target-entity:${serviceId}:read`;
    const token = ((await (await fetch(`${idp.url}/oauth2/token`, { method: 'POST', headers: form, body: tokenBody })).json()) as { access_token: string }).access_token;
    const cases: Record<string, Record<string, unknown>> = {
      jwks: { url: `${idp.url}/.well-known/jwks.json` },
      token: { url: `${idp.url}/oauth2/token`, method: 'POST', headers: form, body: tokenBody },
      introspect: { url: `${idp.url}/oauth2/introspect`, method: 'POST', headers: form, body: `token=${token}` },
    };
    const rates: Record<string, number[]> = { jwks: [], token: [], introspect: [] };
    for (let i = 0; i < runs; i++) {
      for (const [name, options] of Object.entries(cases)) {
        const result = await autocannon({ duration: seconds, connections, ...options });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        rates[name]!.push(Math.round(result.requests.average));
      }
    }
    const m = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)])) as Record<string, number>;
    console.log(`OAuth benchmark — median of ${runs} runs, ${seconds}s each, ${connections} connections, loopback (noisy shared machine)`);
    console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`  GET /.well-known/jwks.json                 ${m.jwks} req/s  (1.00)`);
    console.log(`  POST /oauth2/token client_credentials      ${m.token} req/s  (${(m.token! / m.jwks!).toFixed(2)} of JWKS)`);
    console.log(`  POST /oauth2/introspect (RS256 token)      ${m.introspect} req/s  (${(m.introspect! / m.jwks!).toFixed(2)} of JWKS)`);
  } finally {
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) await run();
