/**
 * `--workers 2` (node:cluster): both workers share the frontend port, the primary's admin listener
 * aggregates metrics over the workers and the stats page merges their view; SIGTERM stops everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import { startGatewayProcess, waitForWorkers } from './support/gateway-process.js';
import { closedPort, startUpstream } from './support/upstream.js';

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
    const workers = await waitForWorkers(gateway, 2);
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
    const ready = await waitForWorkers(gateway, 2);
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
    const ready = await waitForWorkers(gateway, 2);
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

test('two workers share passive verdicts: a server one worker takes out is out in every worker, and in a worker started later', async () => {
  const good = await startUpstream('b');
  const dead = await closedPort();
  const gateway = await startGatewayProcess(`
workers: 2
admin: { bind: "127.0.0.1:0" }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app:
    passive: { failures: 2, cooldown: 1m }
    servers:
      a: { address: "127.0.0.1:${dead}" }
      b: { address: "${good.address}" }
`);
  try {
    await gateway.waitForLine((l) => l.admin === true);
    const ready = await waitForWorkers(gateway, 2);
    const url = `http://127.0.0.1:${gateway.port('web')}/`;
    const metrics = async () => (await (await request(`http://127.0.0.1:${gateway.adminPort()}/metrics`)).body.text());
    // the cluster's gauge is the sum over workers: how many of them send traffic to a
    const upIn = async () => Number(/gatehouse_server_up\{backend="app",server="a"\} (\d+)/.exec(await metrics())?.[1]);
    assert.equal(await upIn(), 2);
    const down = (l: Record<string, unknown>) => l.msg === 'server app/a is down';
    // POSTs with a body are never retried: each one a worker sends to a fails (502)
    const post = async () => {
      const res = await request(url, { method: 'POST', body: 'x', reset: true });
      await res.body.dump();
      return res.statusCode;
    };
    for (let i = 0; i < 40 && !gateway.lines.some(down); i++) await post();
    await gateway.waitForLine(down, 2_000);
    const deadline = Date.now() + 3_000;
    while ((await upIn()) !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await upIn(), 0, 'without traffic of its own, the other worker took a out too');
    const after: number[] = [];
    for (let i = 0; i < 12; i++) after.push(await post());
    assert.deepEqual(after, Array(12).fill(200), 'no worker sends to a any more');
    assert.equal(gateway.lines.filter(down).length, 1, 'logged once, by the worker that saw the failures');

    // a worker started after the verdict gets it from the primary before it listens
    const [victim] = childPids(gateway.child.pid as number);
    process.kill(victim as number, 'SIGKILL');
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number' && !ready.has(l.pid));
    const later: number[] = [];
    for (let i = 0; i < 12; i++) later.push(await post());
    assert.deepEqual(later, Array(12).fill(200), 'the new worker knows a is out');
    assert.equal(await upIn(), 0);
  } finally {
    await gateway.stop('SIGKILL');
    await good.close();
  }
});
