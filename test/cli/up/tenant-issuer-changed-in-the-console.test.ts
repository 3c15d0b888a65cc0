/**
 * The seed's first step, done in the console while `up` runs: the tenant's issuer changes. The gateway
 * follows it (up rewrites its configs and reloads it, and says so), and the next start adopts it instead of
 * failing its self-check with ERR_UP_SELF_CHECK. A second `up` on the same data directory is refused while
 * the first runs, naming its pid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../cli-process.js';
import { freePorts, readDemo, READY, START_TIMEOUT_MS, type Demo } from '../../e2e/support.js';

async function login(demo: Demo): Promise<string> {
  const response = await fetch(`${demo.idpUrl}/api/login`, {
    method: 'POST',
    headers: { authorization: demo.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ loginId: demo.loginId, password: demo.password, applicationId: demo.applicationId }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { token: string }).token;
}

async function gatewayStatus(demo: Demo, token: string): Promise<{ status: number; body: string }> {
  const response = await fetch(demo.gatewayUrl, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.text() };
}

test('the gateway follows the tenant issuer changed in the console, and the next start adopts it', { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-issuer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [gateway, idp, echo] = await freePorts(3);
  const args = ['up', '--data-dir', dir, '--gateway-port', String(gateway), '--idp-port', String(idp), '--echo-port', String(echo)];
  const first = spawnCli(args);
  t.after(() => first.stop('SIGKILL'));
  await first.waitFor(READY, START_TIMEOUT_MS);
  const demo = readDemo(dir);

  // a second up on the same directory, even on other ports, is refused naming the first
  const [g2, i2, e2] = await freePorts(3);
  const second = spawnCli(['up', '--data-dir', dir, '--gateway-port', String(g2), '--idp-port', String(i2), '--echo-port', String(e2)]);
  assert.equal(await second.exited(), 1);
  assert.match(second.stderr(), new RegExp(`is in use by another gatehouse up: pid ${first.child.pid} .*gateway ${gateway}.*\\(ERR_UP_DATA_DIR_IN_USE\\)`));

  // the console's tenant form does PATCH /api/tenant/{id}
  const adminKey = (JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')) as { adminApiKey: string }).adminApiKey;
  const app = (await (await fetch(`${demo.idpUrl}/api/application/${demo.applicationId}`, { headers: { authorization: adminKey } })).json()) as { application: { tenantId: string } };
  const patched = await fetch(`${demo.idpUrl}/api/tenant/${app.application.tenantId}`, {
    method: 'PATCH',
    headers: { authorization: adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: { issuer: 'https://auth.example.com' } }),
  });
  assert.equal(patched.status, 200);
  await first.waitFor(/The tenant's issuer changed .* -> "https:\/\/auth\.example\.com"/, 30_000);
  const after = await gatewayStatus(demo, await login(demo));
  assert.equal(after.status, 200, `a token with the new issuer passes: ${after.body}`);
  assert.equal(readDemo(dir).issuer, 'https://auth.example.com', 'demo.json follows');
  assert.match(readFileSync(join(dir, 'gatehouse.yaml'), 'utf8'), /issuer: "https:\/\/auth\.example\.com"/);
  assert.equal(await first.stop('SIGINT'), 0);

  // the next start works with the tenant's issuer
  const again = spawnCli(args);
  t.after(() => again.stop('SIGKILL'));
  await again.waitFor(READY, START_TIMEOUT_MS);
  const status = await gatewayStatus(demo, await login(demo));
  assert.equal(status.status, 200);
  assert.equal(await again.stop('SIGINT'), 0);
});
