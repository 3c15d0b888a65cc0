/**
 * The operator's server states (HAProxy's `set server <b>/<s> state ready|drain|maint`) through the
 * admin API, in one process: drain and maint take a server out for new requests while requests in
 * flight finish, maint also stops its checks, the states survive a reload unless the file changes them,
 * and the API refuses changes without the admin token.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { parseGatewayConfig } from '../../src/gateway/index.js';
import { isGatehouseError } from '../../src/shared/errors.js';
import { tempDir } from './support/gateway-process.js';
import { startInProcess } from './support/in-process.js';
import { startUpstream, type Echo } from './support/upstream.js';

const a = await startUpstream('a');
const b = await startUpstream('b');
after(() => Promise.all([a.close(), b.close()]));

const TOKEN = 'admin-token-0123456789abcdef';
process.env.GATEHOUSE_TEST_ADMIN_TOKEN = TOKEN;

const config = (bState = 'ready', token = true) => ({
  admin: { bind: '127.0.0.1:0', ...(token ? { token: { env: 'GATEHOUSE_TEST_ADMIN_TOKEN' } } : {}) },
  frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
  backends: {
    app: {
      check: { path: '/health', interval: '100ms', timeout: '500ms', rise: 1, fall: 2 },
      servers: { a: { address: a.address }, b: { address: b.address, state: bState } },
    },
  },
});

async function served(url: string, n: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(((await (await request(url)).body.json()) as Echo).server);
  return [...seen].sort();
}

test('drain and maint through the admin API; requests in flight finish; maint stops the checks; a reload keeps the state unless the file changes it', async () => {
  const gw = await startInProcess(config());
  const admin = `http://127.0.0.1:${gw.gateway.admin!.port}`;
  const put = (path: string, body: string, token: string | null = TOKEN) =>
    request(`${admin}${path}`, { method: 'PUT', body, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const states = async () => ((await (await request(`${admin}/api/servers`)).body.json()) as Array<{ server: string; state: string; up: boolean }>);
  try {
    assert.deepEqual((await states()).map((s) => [s.server, s.state, s.up]), [['a', 'ready', true], ['b', 'ready', true]]);
    assert.deepEqual(await served(`${gw.url}/`, 6), ['a', 'b']);

    // refusals: no token, a wrong one, a bad state, an unknown server, the wrong method
    const noToken = await put('/api/servers/app/b/state', '{"state":"drain"}', null);
    assert.equal(noToken.statusCode, 401);
    assert.equal(noToken.headers['www-authenticate'], 'Bearer realm="gatehouse-admin"');
    await noToken.body.dump();
    assert.equal((await put('/api/servers/app/b/state', '{"state":"drain"}', 'x'.repeat(28))).statusCode, 401);
    assert.equal((await put('/api/servers/app/b/state', '{"state":"off"}')).statusCode, 400);
    assert.equal((await put('/api/servers/app/b/state', '{"state":')).statusCode, 400, 'malformed JSON');
    assert.equal((await put('/api/servers/app/b/state', 'x'.repeat(2048))).statusCode, 413, 'an oversized body');
    assert.equal((await put('/api/servers/app/nope/state', 'drain')).statusCode, 404);
    assert.equal((await request(`${admin}/api/servers/app/b/state`)).statusCode, 405);
    assert.deepEqual(await served(`${gw.url}/`, 4), ['a', 'b'], 'nothing changed');

    // drain while a slow request is on b: it finishes; new requests avoid b
    const slow = [request(`${gw.url}/slow/400`), request(`${gw.url}/slow/400`)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const drained = await put('/api/servers/app/b/state', '{"state":"drain"}');
    assert.equal(drained.statusCode, 200);
    assert.deepEqual(await drained.body.json(), { backend: 'app', server: 'b', state: 'drain' });
    for (const pending of slow) assert.equal((await pending).statusCode, 200, 'a request in flight finished');
    assert.deepEqual(await served(`${gw.url}/`, 6), ['a']);
    const bState = (await states()).find((s) => s.server === 'b');
    assert.equal(bState?.state, 'drain');
    assert.equal(bState?.up, false);
    assert.match(await (await request(`${admin}/stats`)).body.text(), /<td>b<\/td><td>[^<]+<\/td><td>DRAIN<\/td>/);
    assert.ok(gw.logs.some((l) => l.server === 'b' && l.admin === 'drain' && l.msg === 'server app/b set to drain'));

    // drain keeps checking b; maint stops it
    let checks = b.healthChecks;
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.ok(b.healthChecks > checks, 'a drained server is still checked');
    assert.equal((await put('/api/servers/app/b/state', 'maint')).statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, 150));
    checks = b.healthChecks;
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(b.healthChecks, checks, 'a server in maintenance is not checked');

    // a reload of an unchanged file keeps maint; a file that changes b's state wins
    await gw.gateway.reload(parseGatewayConfig(config(), process.cwd()));
    assert.deepEqual(await served(`${gw.url}/`, 6), ['a'], 'still in maintenance after the reload');
    await gw.gateway.reload(parseGatewayConfig(config('drain'), process.cwd()));
    assert.equal((await states()).find((s) => s.server === 'b')?.state, 'drain', 'the file said drain');

    assert.equal((await put('/api/servers/app/b/state', 'ready')).statusCode, 200);
    assert.deepEqual(await served(`${gw.url}/`, 6), ['a', 'b']);
  } finally {
    await gw.close();
  }
});

test('without admin.token the admin API is read-only', async () => {
  const gw = await startInProcess(config('ready', false));
  try {
    const admin = `http://127.0.0.1:${gw.gateway.admin!.port}`;
    const refused = await request(`${admin}/api/servers/app/b/state`, { method: 'PUT', body: 'drain', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(refused.statusCode, 403);
    assert.match(await refused.body.text(), /read-only: set admin\.token/);
    assert.equal((await (await request(`${admin}/api/servers`)).body.json() as unknown[]).length, 2);
  } finally {
    await gw.close();
  }
});

test('state: maint in the file: no traffic and no checks from the start; bad states and tokens are refused at load', async () => {
  const checksBefore = b.healthChecks;
  const gw = await startInProcess(config('maint'));
  try {
    assert.deepEqual(await served(`${gw.url}/`, 6), ['a']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(b.healthChecks, checksBefore, 'never checked');
  } finally {
    await gw.close();
  }
  assert.throws(() => parseGatewayConfig({ ...config(), backends: { app: { servers: { b: { address: b.address, state: 'off' } } } } }, '/tmp'), (error: unknown) => isGatehouseError(error) && /backends\.app\.servers\.b\.state: expected ready, drain or maint/.test(error.message));
  assert.throws(() => parseGatewayConfig({ ...config(), admin: { bind: '127.0.0.1:0', token: { env: 'A', file: 'b' } } }, '/tmp'), (error: unknown) => isGatehouseError(error) && /admin\.token: give exactly one of env, file/.test(error.message));
  // a token too short, or from a missing variable, stops the start
  const dir = tempDir();
  writeFileSync(join(dir, 'short'), 'abc\n');
  await assert.rejects(startInProcess({ ...config(), admin: { bind: '127.0.0.1:0', token: { file: join(dir, 'short') } } }), /admin\.token: the token must be at least 16/);
  await assert.rejects(startInProcess({ ...config(), admin: { bind: '127.0.0.1:0', token: { env: 'GATEHOUSE_TEST_NO_SUCH_VARIABLE' } } }), /admin\.token\.env: environment variable GATEHOUSE_TEST_NO_SUCH_VARIABLE is not set/);
});
