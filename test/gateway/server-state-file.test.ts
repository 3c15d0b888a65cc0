/**
 * `admin.state_file` (HAProxy's server-state-file): server states set through the admin API survive a
 * restart of the gateway process, one process and a cluster alike; a config that has changed a server's
 * state since wins over the saved one; a malformed file is logged and ignored.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { startGatewayProcess, tempDir, waitForWorkers, type GatewayProcess } from './support/gateway-process.js';
import { startUpstream, type Echo } from './support/upstream.js';

const a = await startUpstream('a');
const b = await startUpstream('b');
after(() => Promise.all([a.close(), b.close()]));

const TOKEN = 'state-file-token-0123456789';

function yaml(stateFile: string, options: { workers?: number; bState?: string } = {}): string {
  return `
workers: ${options.workers ?? 1}
admin: { bind: "127.0.0.1:0", token: { env: GATEHOUSE_TEST_STATE_TOKEN }, state_file: ${JSON.stringify(stateFile)} }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app:
    servers:
      a: { address: "${a.address}" }
      b: { address: "${b.address}"${options.bState === undefined ? '' : `, state: ${options.bState}`} }
`;
}

async function start(text: string, workers = 1): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess(text, [], { GATEHOUSE_TEST_STATE_TOKEN: TOKEN });
  await gateway.waitForLine((l) => l.admin === true);
  await waitForWorkers(gateway, workers);
  return gateway;
}

async function served(gateway: GatewayProcess, n: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(((await (await request(`http://127.0.0.1:${gateway.port('web')}/`, { reset: true })).body.json()) as Echo).server);
  return [...seen].sort();
}

async function setState(gateway: GatewayProcess, server: string, state: string): Promise<void> {
  const res = await request(`http://127.0.0.1:${gateway.adminPort()}/api/servers/app/${server}/state`, { method: 'PUT', body: state, headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.statusCode, 200);
  await res.body.dump();
}

for (const workers of [1, 2]) {
  test(`${workers === 1 ? 'one process' : 'two workers'}: a drained server stays drained after a restart; a config that changed it since wins`, async () => {
    const dir = tempDir();
    const stateFile = join(dir, 'server-state.json');
    let gateway = await start(yaml(stateFile, { workers }), workers);
    try {
      assert.deepEqual(await served(gateway, 8), ['a', 'b']);
      assert.equal(existsSync(stateFile), false, 'nothing set at run time yet');
      await setState(gateway, 'b', 'drain');
      assert.deepEqual(JSON.parse(readFileSync(stateFile, 'utf8')), { version: 1, servers: [{ backend: 'app', server: 'b', state: 'drain', config_state: 'ready' }] });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(await served(gateway, 8), ['a']);
      assert.equal(await gateway.stop('SIGTERM'), 0);

      // the same config, a new process: b is still drained, in every worker
      gateway = await start(yaml(stateFile, { workers }), workers);
      assert.ok(gateway.lines.some((l) => l.msg === 'server app/b set to drain (restored from the server state file)'));
      assert.deepEqual(await served(gateway, 8), ['a']);
      const states = (await (await request(`http://127.0.0.1:${gateway.adminPort()}/api/servers`)).body.json()) as Array<{ server: string; state: string }>;
      assert.equal(states.find((s) => s.server === 'b')?.state, 'drain');
      // back to ready: the file is emptied of it
      await setState(gateway, 'b', 'ready');
      assert.deepEqual(JSON.parse(readFileSync(stateFile, 'utf8')).servers, []);
      await setState(gateway, 'b', 'drain');
      assert.equal(await gateway.stop('SIGTERM'), 0);

      // the operator edits the config to take b out for maintenance: the file's "drain" was set over a
      // config that said ready, so it no longer applies
      gateway = await start(yaml(stateFile, { workers, bState: 'maint' }), workers);
      const after = (await (await request(`http://127.0.0.1:${gateway.adminPort()}/api/servers`)).body.json()) as Array<{ server: string; state: string }>;
      assert.equal(after.find((s) => s.server === 'b')?.state, 'maint');
      assert.ok(!gateway.lines.some((l) => typeof l.msg === 'string' && l.msg.includes('restored from the server state file')));
    } finally {
      await gateway.stop('SIGKILL');
    }
  });
}

test('a malformed state file is logged and ignored: the gateway starts with the config\'s states', async () => {
  const dir = tempDir();
  const stateFile = join(dir, 'server-state.json');
  writeFileSync(stateFile, '{"version": 1, "servers": [ broken');
  const gateway = await start(yaml(stateFile));
  try {
    assert.ok(gateway.lines.some((l) => l.msg === "server state file malformed; starting with the config's states" && l.level === 50));
    assert.deepEqual(await served(gateway, 8), ['a', 'b']);
    await setState(gateway, 'a', 'maint');
    assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).servers[0].state, 'maint', 'the next change writes a good file');
  } finally {
    await gateway.stop('SIGKILL');
  }
});
