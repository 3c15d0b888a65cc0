/**
 * `gatehouse up` makes the console's demo administrator and writes its credentials to demo.json; a data
 * directory from before the console (no admin in demo.json) gets one on its next start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUp } from '../../../src/cli/up/run.js';
import { freePorts } from '../../e2e/support.js';
import { cookieOf, signIn } from './support.js';
import { Writable } from 'node:stream';

const sink = new Writable({ write: (_c, _e, done) => done() });

test('up creates the demo administrator; an older data directory gets one on restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-up-admin-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const [gatewayPort, idpPort, echoPort] = await freePorts(3);
  const options = { gatewayPort: gatewayPort!, idpPort: idpPort!, echoPort: echoPort!, dataDir, workers: 1 as const, host: '127.0.0.1' };
  const demoPath = join(dataDir, 'demo.json');

  const first = await startUp(options, sink);
  try {
    const demo = JSON.parse(readFileSync(demoPath, 'utf8')) as Record<string, string>;
    assert.equal(demo.adminLoginId, 'admin@example.com');
    assert.match(demo.adminPassword!, /^admin-.{16}$/);
    const { response } = await signIn(`http://127.0.0.1:${idpPort}`, { loginId: demo.adminLoginId!, password: demo.adminPassword! });
    assert.equal(response.status, 303);
    assert.ok(cookieOf(response));
    // the demo user of the seed is not an administrator
    const user = await signIn(`http://127.0.0.1:${idpPort}`, { loginId: demo.loginId!, password: demo.password! });
    assert.equal(user.response.status, 401);
    // make it a data directory from before the console: no administrator in the database either
    const headers = { authorization: demo.adminApiKey! };
    const found = (await (await fetch(`http://127.0.0.1:${idpPort}/api/user?email=${demo.adminLoginId}`, { headers })).json()) as { user: { id: string } };
    assert.equal((await fetch(`http://127.0.0.1:${idpPort}/api/user/${found.user.id}?hardDelete=true`, { method: 'DELETE', headers })).status, 200);
  } finally {
    await first.stop();
  }

  // an older demo.json without the admin: the next start adds one (new credentials, new user)
  const old = JSON.parse(readFileSync(demoPath, 'utf8')) as Record<string, string>;
  const previousPassword = old.adminPassword;
  delete old.adminLoginId;
  delete old.adminPassword;
  writeFileSync(demoPath, JSON.stringify(old));
  // new ports: this process's connection pool may still hold sockets to the first start's servers
  const [gatewayPort2, idpPort2, echoPort2] = await freePorts(3);
  const second = await startUp({ ...options, gatewayPort: gatewayPort2!, idpPort: idpPort2!, echoPort: echoPort2! }, sink);
  try {
    const demo = JSON.parse(readFileSync(demoPath, 'utf8')) as Record<string, string>;
    assert.ok(demo.adminPassword);
    assert.notEqual(demo.adminPassword, previousPassword);
    const fresh = await signIn(`http://127.0.0.1:${idpPort2}`, { loginId: demo.adminLoginId!, password: demo.adminPassword! });
    assert.equal(fresh.response.status, 303);
  } finally {
    await second.stop();
  }
});
