/**
 * `--workers 2` (node:cluster): both workers share the frontend port, the primary's admin listener
 * aggregates metrics over the workers and the stats page merges their view; SIGTERM stops everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import { startGatewayProcess } from './support/gateway-process.js';
import { startUpstream } from './support/upstream.js';

test('two workers: shared port, aggregated metrics, merged stats page, clean SIGTERM', async () => {
  const upstream = await startUpstream('a');
  const gateway = await startGatewayProcess(`
workers: 2
admin: { bind: "127.0.0.1:0" }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`);
  try {
    await gateway.waitForLine((l) => l.admin === true);
    const workers = new Set<unknown>();
    await gateway.waitForLine((l) => {
      if (l.frontend === 'web' && typeof l.port === 'number') workers.add(l.pid);
      return workers.size === 2;
    });
    const ports = new Set(gateway.lines.filter((l) => l.frontend === 'web').map((l) => l.port));
    assert.equal(ports.size, 1, 'both workers report the same port');
    const url = `http://127.0.0.1:${gateway.port('web')}/`;
    for (let i = 0; i < 20; i++) await (await request(url, { reset: true })).body.dump();
    const admin = `http://127.0.0.1:${gateway.adminPort()}`;
    const metrics = await (await request(`${admin}/metrics`)).body.text();
    assert.match(metrics, /gatehouse_http_requests_total\{frontend="web",backend="app",status="200"\} 20/);
    const html = await (await request(`${admin}/stats`)).body.text();
    assert.match(html, /2 worker\(s\)/);
    assert.match(html, /UP \(2\/2 workers\)/);
    assert.equal(await gateway.stop('SIGTERM'), 0);
  } finally {
    await gateway.stop('SIGKILL');
    await upstream.close();
  }
});

/** The pids of a process's direct children (Linux /proc), e.g. the cluster workers of a primary. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('SIGTERM while the workers are still starting: every worker is stopped and the primary exits 0', async () => {
  const upstream = await startUpstream('a');
  const gateway = await startGatewayProcess(`
workers: 2
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`);
  try {
    // the primary has forked its workers; none has opened its listener yet
    await gateway.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('gateway primary started'));
    const workers = childPids(gateway.child.pid as number);
    assert.equal(workers.length, 2, 'two workers were forked');
    assert.equal(gateway.lines.filter((l) => l.frontend === 'web' && typeof l.port === 'number').length, 0, 'no worker was listening yet');
    assert.equal(await gateway.stop('SIGTERM'), 0, 'the primary exits 0 (not killed after the 15 s guard)');
    for (const pid of workers) assert.equal(alive(pid), false, `worker ${pid} has exited too`);
  } finally {
    await gateway.stop('SIGKILL');
    await upstream.close();
  }
});

/** Which upstream server answered each of `n` requests, each on a new connection (so both workers serve some). */
async function servedBy(url: string, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const response = await request(url, { reset: true });
    assert.equal(response.statusCode, 200);
    seen.add((await response.body.json() as { server: string }).server);
  }
  return seen;
}

test('two workers: the primary checks each server once per interval and every worker follows its verdict, through a reload and a worker restart', async () => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  const gateway = await startGatewayProcess(`
workers: 2
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app:
    check: { path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
    servers: { a: { address: "${a.address}" }, b: { address: "${b.address}" } }
`);
  const downLines = () => gateway.lines.filter((l) => l.server === 'b' && l.state === 'down' && (l.level as number) >= 30);
  try {
    const ready = new Set<unknown>();
    await gateway.waitForLine((l) => {
      if (l.frontend === 'web' && typeof l.port === 'number') ready.add(l.pid);
      return ready.size === 2;
    });
    const url = `http://127.0.0.1:${gateway.port('web')}/`;
    // one check per interval in all, not one per worker: ~10 in 2 s (each worker checking would make ~20)
    a.healthChecks = 0;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.ok(a.healthChecks >= 5 && a.healthChecks <= 13, `${a.healthChecks} checks of a in 2 s at a 200 ms interval`);

    b.healthy = false;
    await gateway.waitForLine((l) => l.server === 'b' && l.state === 'down');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(downLines().length, 1, 'the change is logged once, by the primary');
    assert.equal(downLines()[0]!.pid, gateway.child.pid);
    assert.deepEqual([...await servedBy(url, 30)], ['a'], 'no worker sends to b');

    // a reload keeps b down in every worker (the new generation would otherwise start it up)
    const reloads = () => gateway.lines.filter((l) => l.msg === 'config reloaded').length;
    gateway.child.kill('SIGHUP');
    await gateway.waitForLine(() => reloads() === 2);
    assert.deepEqual([...await servedBy(url, 30)], ['a'], 'after the reload, no worker sends to b');

    // a worker that starts after b went down knows it before it listens
    const [victim] = childPids(gateway.child.pid as number);
    process.kill(victim as number, 'SIGKILL');
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number' && !ready.has(l.pid));
    assert.deepEqual([...await servedBy(url, 30)], ['a'], 'the new worker does not send to b');

    b.healthy = true;
    await gateway.waitForLine((l) => l.server === 'b' && l.state === 'up');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual([...await servedBy(url, 30)].sort(), ['a', 'b'], 'b is back in every worker');
    assert.equal(await gateway.stop('SIGTERM'), 0);
  } finally {
    await gateway.stop('SIGKILL');
    await Promise.all([a.close(), b.close()]);
  }
});

test('two workers: a server drained through the primary admin API is drained in every worker, also one started later and after a reload', async () => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  const token = 'cluster-admin-token-0123456789';
  const gateway = await startGatewayProcess(`
workers: 2
admin: { bind: "127.0.0.1:0", token: { env: GATEHOUSE_ADMIN_TOKEN } }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { a: { address: "${a.address}" }, b: { address: "${b.address}" } } }
`, [], { GATEHOUSE_ADMIN_TOKEN: token });
  try {
    const ready = new Set<unknown>();
    await gateway.waitForLine((l) => {
      if (l.frontend === 'web' && typeof l.port === 'number') ready.add(l.pid);
      return ready.size === 2;
    });
    await gateway.waitForLine((l) => l.admin === true);
    const url = `http://127.0.0.1:${gateway.port('web')}/`;
    assert.deepEqual([...await servedBy(url, 20)].sort(), ['a', 'b']);
    const put = await request(`http://127.0.0.1:${gateway.adminPort()}/api/servers/app/b/state`, { method: 'PUT', body: '{"state":"drain"}', headers: { authorization: `Bearer ${token}` } });
    assert.equal(put.statusCode, 200);
    await put.body.dump();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual([...await servedBy(url, 30)], ['a'], 'no worker sends to b');
    assert.equal(gateway.lines.filter((l) => l.admin === 'drain' && (l.level as number) >= 30).length, 1, 'logged once, by the primary');

    const [victim] = childPids(gateway.child.pid as number);
    process.kill(victim as number, 'SIGKILL');
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number' && !ready.has(l.pid));
    assert.deepEqual([...await servedBy(url, 30)], ['a'], 'the new worker knows b is drained');

    gateway.child.kill('SIGHUP');
    await gateway.waitForLine(() => gateway.lines.filter((l) => l.msg === 'config reloaded').length === 2);
    assert.deepEqual([...await servedBy(url, 30)], ['a'], 'still drained after the reload');

    const back = await request(`http://127.0.0.1:${gateway.adminPort()}/api/servers/app/b/state`, { method: 'PUT', body: 'ready', headers: { authorization: `Bearer ${token}` } });
    assert.equal(back.statusCode, 200);
    await back.body.dump();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual([...await servedBy(url, 30)].sort(), ['a', 'b']);
    assert.equal(gateway.lines.some((l) => JSON.stringify(l).includes(token)), false, 'the token is never logged');
    assert.equal(await gateway.stop('SIGTERM'), 0);
  } finally {
    await gateway.stop('SIGKILL');
    await Promise.all([a.close(), b.close()]);
  }
});
