/**
 * SIGHUP reload with the gateway as a real process: under a steady load no request fails and new
 * requests follow the new config; a bad config is refused with a logged error while the old one keeps
 * serving; with `--workers 2` every worker reloads. SIGTERM drains an in-flight request before exiting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'undici';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { sleep, startUpstreamProcess, steadyLoad, type UpstreamProcess } from './support/processes.js';
import { startUpstream } from './support/upstream.js';

function config(backend: UpstreamProcess[], bind = '127.0.0.1:0'): string {
  return `
frontends:
  web: { bind: "${bind}", default_backend: app }
backends:
  app:
    servers:
${backend.map((u) => `      ${u.name}: { address: "127.0.0.1:${u.port}" }`).join('\n')}
`;
}

async function reloadUnderLoad(args: string[], reloads: number) {
  const [blue, green] = await Promise.all([startUpstreamProcess('blue'), startUpstreamProcess('green')]);
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await startGatewayProcess(config([blue!]), args);
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
    const port = gateway.port('web');
    if (args.length > 0) await sleep(1_000); // every worker up
    const load = steadyLoad(`http://127.0.0.1:${port}/`, 8);
    for (let i = 0; i < reloads; i++) {
      await sleep(300);
      gateway.writeConfig(config([i % 2 === 0 ? green! : blue!], `127.0.0.1:${port}`));
      gateway.child.kill('SIGHUP');
    }
    await sleep(600);
    const result = await load.stop();
    assert.equal(result.failed, 0, `failed: ${result.failures.slice(0, 5).join('; ')}`);
    assert.ok((result.bodies.get('blue') ?? 0) > 0 && (result.bodies.get('green') ?? 0) > 0, JSON.stringify([...result.bodies]));
    const last = reloads % 2 === 1 ? 'green' : 'blue';
    const after = await request(`http://127.0.0.1:${port}/`);
    assert.equal(await after.body.text(), last, 'new requests use the newest config');
    assert.ok(gateway.lines.some((l) => l.msg === 'config reloaded'));
  } finally {
    await gateway?.stop();
    await Promise.all([blue!.kill(), green!.kill()]);
  }
}

test('SIGHUP under a steady load: zero failed requests, new requests follow the new config', async () => {
  await reloadUnderLoad([], 4);
});

test('SIGHUP with --workers 2 reloads every worker, with zero failed requests', async () => {
  await reloadUnderLoad(['--workers', '2'], 3);
});

test('a bad reload is refused with a logged error; the old config keeps serving', async () => {
  const blue = await startUpstreamProcess('blue');
  const gateway = await startGatewayProcess(config([blue]));
  try {
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
    const url = `http://127.0.0.1:${gateway.port('web')}/`;
    gateway.writeConfig('frontends:\n  web: { bind: "127.0.0.1:0", default_backend: nowhere }\n');
    gateway.child.kill('SIGHUP');
    const line = await gateway.waitForLine((l) => l.msg === 'config reload refused; the old config keeps serving');
    assert.match(JSON.stringify(line), /unknown backend \\"nowhere\\"/);
    const response = await request(url);
    assert.equal(response.statusCode, 200);
    assert.equal(await response.body.text(), 'blue');
    assert.equal(gateway.child.exitCode, null);
  } finally {
    await gateway.stop();
    await blue.kill();
  }
});

test('SIGTERM drains: an in-flight request completes, then the process exits 0 and stops listening', async () => {
  const slow = await startUpstream('slow');
  const gateway = await startGatewayProcess(`
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { s: { address: "${slow.address}" } } }
`);
  try {
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
    const url = `http://127.0.0.1:${gateway.port('web')}`;
    const inflight = request(`${url}/slow/700`);
    await sleep(200);
    const code = gateway.stop('SIGTERM');
    const response = await inflight;
    assert.equal(response.statusCode, 200);
    assert.match(await response.body.text(), /"server":"slow"/);
    assert.equal(await code, 0);
    await assert.rejects(request(`${url}/`));
  } finally {
    await gateway.stop('SIGKILL');
    await slow.close();
  }
});

test('SIGTERM closes at once a connection that never sent a request (node:http would wait for its headers timeout)', async () => {
  const app = await startUpstream('app');
  const gateway = await startGatewayProcess(`
timeouts: { drain: 20s, http_request: 20s }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { s: { address: "${app.address}" } } }
`);
  try {
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
    const port = gateway.port('web');
    // a kept-alive connection that served a request, and a spare one that never sent a byte
    const used = await request(`http://127.0.0.1:${port}/`);
    await used.body.dump();
    const spare = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => spare.once('connect', resolve));
    const spareClosed = new Promise((resolve) => spare.once('close', resolve));
    spare.on('error', () => undefined);
    const started = Date.now();
    assert.equal(await gateway.stop('SIGTERM'), 0);
    await spareClosed;
    assert.ok(Date.now() - started < 5_000, `the gateway exited after ${Date.now() - started} ms, not after the 20 s drain`);
  } finally {
    await gateway.stop('SIGKILL');
    await app.close();
  }
});
