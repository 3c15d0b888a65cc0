/**
 * Kill one upstream (SIGKILL, a real process) during a steady stream of GET requests through the
 * gateway (a real process): every request still succeeds on the other servers, the dead server is
 * marked down, and once it is back on the same port it takes traffic again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startGatewayProcess } from './support/gateway-process.js';
import { sleep, startUpstreamProcess, steadyLoad } from './support/processes.js';

test('killing an upstream mid-stream: no failed idempotent request, marked down, used again when back', async () => {
  const ups = await Promise.all(['u1', 'u2', 'u3'].map((n) => startUpstreamProcess(n)));
  const gateway = await startGatewayProcess(`
admin: { bind: "127.0.0.1:0" }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app:
    balance: roundrobin
    check: { path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
    passive: { failures: 1, cooldown: 300ms }
    servers:
${ups.map((u) => `      ${u.name}: { address: "127.0.0.1:${u.port}" }`).join('\n')}
`);
  let revived: Awaited<ReturnType<typeof startUpstreamProcess>> | undefined;
  try {
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
    await gateway.waitForLine((l) => l.admin === true);
    const url = `http://127.0.0.1:${gateway.port('web')}/`;
    const load = steadyLoad(url, 6);
    await sleep(400);
    const victim = ups[1]!;
    await victim.kill();
    await gateway.waitForLine((l) => l.server === 'u2' && l.state === 'down');
    const adminUrl = `http://127.0.0.1:${gateway.adminPort()}`;
    const metricsDown = await (await request(`${adminUrl}/metrics`)).body.text();
    assert.match(metricsDown, /gatehouse_server_up\{backend="app",server="u2"\} 0/);
    const statsDown = await (await request(`${adminUrl}/stats`)).body.text();
    assert.match(statsDown, /<td>u2<\/td><td>127\.0\.0\.1:\d+<\/td><td>DOWN<\/td>/);
    await sleep(300);
    const beforeRevival = load.result.bodies.get('u2') ?? 0;
    revived = await startUpstreamProcess('u2', victim.port);
    await gateway.waitForLine((l) => l.server === 'u2' && l.state === 'up' && (l.reason as string).startsWith('check'));
    await sleep(500);
    const result = await load.stop();
    assert.equal(result.failed, 0, `failed requests: ${result.failures.slice(0, 5).join('; ')}`);
    assert.ok(result.ok > 50, `the load ran (${result.ok} requests)`);
    assert.ok((result.bodies.get('u2') ?? 0) > beforeRevival, 'u2 takes traffic again once it is back');
    assert.ok((result.bodies.get('u1') ?? 0) > 0 && (result.bodies.get('u3') ?? 0) > 0);
  } finally {
    await gateway.stop();
    await Promise.all([...ups, ...(revived === undefined ? [] : [revived])].map((u) => u.kill()));
  }
});
