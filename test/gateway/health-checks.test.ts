/**
 * Active health checks against real upstreams: a server failing its check `fall` times is taken out
 * (and a backend with none left answers 503 with a clear body); `rise` passes bring it back.
 * Passive: consecutive 5xx answers take a server out for the cool-down.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startUpstream } from './support/upstream.js';
import { startInProcess } from './support/in-process.js';
import { parseGatewayConfig } from '../../src/gateway/index.js';

const a = await startUpstream('a');
const b = await startUpstream('b');
after(() => Promise.all([a.close(), b.close()]));

async function body(url: string): Promise<[number, string]> {
  const r = await request(url);
  return [r.statusCode, await r.body.text()];
}

function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 20);
  });
}

test('active checks take failing servers out and bring them back; none left → 503', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { check: { path: '/health', interval: '100ms', timeout: '80ms', rise: 2, fall: 2, expect_status: 200 }, servers: { a: { address: a.address }, b: { address: b.address } } } },
  });
  const state = (name: string) => gw.gateway.stats().backends[0]!.servers.find((s) => s.name === name)!.up;
  try {
    b.healthy = false;
    await waitFor(() => !state('b'), 'b down');
    for (let i = 0; i < 4; i++) assert.match((await body(`${gw.url}/`))[1], /"server":"a"/);
    a.healthy = false;
    await waitFor(() => !state('a'), 'a down');
    const [status, text] = await body(`${gw.url}/`);
    assert.equal(status, 503);
    assert.equal(text, 'Service Unavailable: no healthy server in backend "app"\n');
    a.healthy = true;
    b.healthy = true;
    await waitFor(() => state('a') && state('b'), 'both up');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(JSON.parse((await body(`${gw.url}/`))[1]).server as string);
    assert.deepEqual([...seen].sort(), ['a', 'b']);
    assert.ok(gw.logs.some((l) => l.server === 'b' && l.state === 'down' && String(l.reason).includes('status 503')));
  } finally {
    a.healthy = true;
    b.healthy = true;
    await gw.close();
  }
});

test('passive checks: consecutive 5xx take a server out for the cool-down', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { passive: { failures: 2, cooldown: '400ms' }, servers: { a: { address: a.address }, b: { address: b.address } } } },
  });
  const state = (name: string) => gw.gateway.stats().backends[0]!.servers.find((s) => s.name === name)!.up;
  try {
    // round robin: a, b, a, b — both get two 500s
    for (let i = 0; i < 4; i++) assert.equal((await body(`${gw.url}/status/500`))[0], 500, 'a 5xx answer passes through');
    assert.equal(state('a'), false);
    assert.equal(state('b'), false);
    assert.equal((await body(`${gw.url}/`))[0], 503);
    await waitFor(() => state('a') && state('b'), 'cool-down over');
    assert.equal((await body(`${gw.url}/`))[0], 200);
  } finally {
    await gw.close();
  }
});

test('a reload keeps the health of unchanged servers: down stays down; a moved server starts afresh', async () => {
  const c = await startUpstream('c');
  const backends = (check: Record<string, unknown>, bAddress: string) => ({
    app: { check: { path: '/health', timeout: '80ms', rise: 2, fall: 2, expect_status: 200, ...check }, servers: { a: { address: a.address }, b: { address: bAddress } } },
  });
  const frontends = { web: { bind: '127.0.0.1:0', default_backend: 'app' } };
  const gw = await startInProcess({ frontends, backends: backends({ interval: '100ms' }, b.address) });
  const state = (name: string) => gw.gateway.stats().backends[0]!.servers.find((s) => s.name === name)!.up;
  const served = async (n: number) => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(JSON.parse((await body(`${gw.url}/`))[1]).server as string);
    return [...seen].sort();
  };
  try {
    b.healthy = false;
    await waitFor(() => !state('b'), 'b down');
    // the new config checks every 10 s: a fresh b would be up (and get traffic) for that long
    await gw.gateway.reload(parseGatewayConfig({ frontends, backends: backends({ interval: '10s' }, b.address) }, process.cwd()));
    assert.equal(state('b'), false, 'b is still down right after the reload');
    assert.deepEqual(await served(6), ['a']);
    // b moved to another address: another server, checked afresh (up until it fails `fall` checks)
    await gw.gateway.reload(parseGatewayConfig({ frontends, backends: backends({ interval: '10s' }, c.address) }, process.cwd()));
    assert.equal(state('b'), true);
    assert.deepEqual(await served(6), ['a', 'c']);
  } finally {
    b.healthy = true;
    await gw.close();
    await c.close();
  }
});

test('a reload keeps a passive cool-down running for the time it has left', async () => {
  const config = {
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { passive: { failures: 2, cooldown: '600ms' }, servers: { a: { address: a.address }, b: { address: b.address } } } },
  };
  const gw = await startInProcess(config);
  const state = (name: string) => gw.gateway.stats().backends[0]!.servers.find((s) => s.name === name)!.up;
  try {
    for (let i = 0; i < 4; i++) assert.equal((await body(`${gw.url}/status/500`))[0], 500);
    assert.equal(state('a'), false);
    assert.equal(state('b'), false);
    await gw.gateway.reload(parseGatewayConfig(config, process.cwd()));
    assert.equal(state('a'), false, 'still cooling down after the reload');
    assert.equal((await body(`${gw.url}/`))[0], 503);
    await waitFor(() => state('a') && state('b'), 'cool-down over', 3_000);
    assert.equal((await body(`${gw.url}/`))[0], 200);
  } finally {
    await gw.close();
  }
});
