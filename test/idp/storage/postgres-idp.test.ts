/**
 * The whole identity provider on PostgreSQL (not only the storage suite): kickstart, login, lockout,
 * refresh with one-time use, restart without re-running the kickstart. Runs in a schema of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startIdp } from '../../../src/idp/index.js';
import { POSTGRES_URL, requireTcpService } from '../../support/services.js';
import { capturingLogger } from '../support.js';

test('the identity provider runs on PostgreSQL', async (t) => {
  const url = new URL(POSTGRES_URL);
  if (!(await requireTcpService(t, 'PostgreSQL', url.hostname, Number(url.port || 5432)))) return;
  const schema = `gatehouse_idp_${process.pid}_${randomBytes(4).toString('hex')}`;
  const database = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const kickstart = {
    variables: { appId: '#{UUID()}' },
    apiKeys: [{ key: 'postgres-admin-key-0123456789' }],
    requests: [
      { method: 'PATCH', url: '/api/tenant/#{FUSIONAUTH_TENANT_ID}', body: { tenant: { issuer: 'https://pg.example', failedAuthenticationConfiguration: { tooManyAttempts: 2 } } } },
      { method: 'POST', url: '/api/application/#{appId}', body: { application: { name: 'PG', jwtConfiguration: { enabled: true, refreshTokenUsagePolicy: 'OneTimeUse' }, loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true } } } },
      { method: 'POST', url: '/api/user/registration', body: { user: { email: 'pg@example.com', password: 'pg-password' }, registration: { applicationId: '#{appId}' } } },
      { method: 'POST', url: '/api/user', body: { user: { email: 'lock@example.com', password: 'lock-password' } } },
    ],
  };
  const headers = { authorization: 'postgres-admin-key-0123456789', 'content-type': 'application/json' };
  try {
    let idp = await startIdp({ port: 0, database, kickstart, logger: capturingLogger([]) });
    const appId = ((await (await fetch(`${idp.url}/api/application`, { headers })).json()) as { applications: { id: string }[] }).applications[0]!.id;
    const login = async (loginId: string, password: string) => fetch(`${idp.url}/api/login`, { method: 'POST', headers, body: JSON.stringify({ loginId, password, applicationId: appId }) });
    const ok = await login('pg@example.com', 'pg-password');
    assert.equal(ok.status, 200);
    const session = (await ok.json()) as { refreshToken: string; token: string };
    const refreshed = await fetch(`${idp.url}/api/jwt/refresh`, { method: 'POST', headers, body: JSON.stringify({ refreshToken: session.refreshToken }) });
    assert.equal(refreshed.status, 200);
    assert.equal((await fetch(`${idp.url}/api/jwt/refresh`, { method: 'POST', headers, body: JSON.stringify({ refreshToken: session.refreshToken }) })).status, 400);
    assert.equal((await login('lock@example.com', 'nope')).status, 404);
    assert.equal((await login('lock@example.com', 'nope')).status, 423, 'the failure that reaches the limit locks');
    assert.equal((await login('lock@example.com', 'lock-password')).status, 423);
    await idp.close();
    idp = await startIdp({ port: 0, database, kickstart, logger: capturingLogger([]) });
    assert.equal(idp.initialization.fresh, false);
    const validated = await fetch(`${idp.url}/api/jwt/validate`, { headers: { authorization: `Bearer ${session.token}` } });
    assert.equal(validated.status, 200, 'keys and tokens survive the restart');
    assert.equal(((await (await fetch(`${idp.url}/api/application`, { headers })).json()) as { applications: unknown[] }).applications.length, 1);
    await idp.close();
  } finally {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});
