/** The console on PostgreSQL: sign in, add an application with keys, a user and a registration; the login works. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL, requireTcpService } from '../../support/services.js';
import { adminSession, startConsoleIdp } from './support.js';

test('the admin console on PostgreSQL', async (t) => {
  const url = new URL(POSTGRES_URL);
  if (!(await requireTcpService(t, 'PostgreSQL', url.hostname, Number(url.port || 5432)))) return;
  const schema = `gatehouse_admin_${process.pid}_${randomBytes(4).toString('hex')}`;
  const idp = await startConsoleIdp({ database: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}` });
  t.after(async () => {
    await idp.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  const s = await adminSession(idp.url);
  const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
  const created = await s.post('/admin/applications', { _csrf: s.csrf, tenantId, name: 'PG app', jwtEnabled: 'on', accessTokenKeyId: '', idTokenKeyId: '', ttl: '3600', roles: 'user' });
  assert.equal(created.status, 303);
  const appId = /([0-9a-f-]{36})$/.exec(created.headers.get('location')!)![1]!;
  const user = await s.post('/admin/users', { _csrf: s.csrf, tenantId, email: 'pg-user@example.com', password: 'pg-password-1' });
  const userId = /([0-9a-f-]{36})$/.exec(user.headers.get('location')!)![1]!;
  assert.equal((await s.post(`/admin/users/${userId}/registrations`, { _csrf: s.csrf, applicationId: appId, [`roles:${appId}`]: 'user' })).status, 303);
  const login = await idp.api('POST', '/api/login', { loginId: 'pg-user@example.com', password: 'pg-password-1', applicationId: appId });
  assert.equal(login.status, 200);
  assert.ok(login.body.token);
  assert.match(await (await s.get('/admin/keys')).text(), /Access token signing key generated for application PG app/);
});
