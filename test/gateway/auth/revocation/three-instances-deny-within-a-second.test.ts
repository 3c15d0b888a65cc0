/**
 * The identity provider and three gateway instances of two workers each (real processes, real Redis at
 * 127.0.0.1:6379): after a revoking call (DELETE /api/jwt/refresh?userId=), every instance denies the
 * user's token — cached by then on every worker — within 1 s of the call, and admits it never again;
 * both workers of each instance log REVOKED denials. An instance started after the revocation denies
 * the token from its first request. A gateway whose Redis connection is cut while the revocation
 * happens (fail open: it still admits, it cannot know) catches up and denies once the connection is
 * back; so does one whose connections Redis kills (CLIENT KILL). Skipped loudly without Redis, a
 * failure in CI.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { canConnect, requireTcpService } from '../../../support/services.js';
import { startGatewayProcess, waitForWorkers, type GatewayProcess } from '../../support/gateway-process.js';
import { startUpstream } from '../../support/upstream.js';
import { startTcpRelay, type TcpRelay } from '../../support/tcp-relay.js';
import { startRevokingIdp, type RevokingIdp } from './revoking-idp.js';

const LAG_TARGET_MS = 1_000;
let redisUp = false;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let setup: RevokingIdp;
const gateways: GatewayProcess[] = [];
let relay: TcpRelay | undefined;

function gatewayConfig(top: Record<string, unknown>): string {
  // JSON is YAML: the process reads it as its config file
  return JSON.stringify({
    workers: 2,
    ...top,
    auth: { api: setup.policy },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'api' } },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
}

async function startInstance(top: Record<string, unknown> = setup.gatewayTop()): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess(gatewayConfig(top));
  gateways.push(gateway);
  await waitForWorkers(gateway, 2);
  return gateway;
}

/** One request on a new connection (so the instance's workers take turns). */
async function status(gateway: GatewayProcess, token: string): Promise<number> {
  const res = await request(`http://127.0.0.1:${gateway.port('web')}/orders`, { headers: { authorization: `Bearer ${token}` }, reset: true });
  await res.body.dump();
  return res.statusCode;
}

/** After a lost connection each worker reconnects on its own back-off (at most 2 s apart): polls until both have denied the token. */
async function untilBothWorkersDeny(gateway: GatewayProcess, token: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (revokedPids(gateway).size < 2) {
    assert.ok(Date.now() < deadline, `both workers deny once the connection is back (${revokedPids(gateway).size} did)`);
    await status(gateway, token);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const revokedPids = (gateway: GatewayProcess) => new Set(gateway.lines.filter((l) => l.error === 'auth: REVOKED').map((l) => l.pid));

before(async () => {
  redisUp = await canConnect('127.0.0.1', 6379);
  if (!redisUp) return;
  upstream = await startUpstream('app');
  setup = await startRevokingIdp();
});
after(async () => {
  await Promise.all(gateways.map((g) => g.stop('SIGKILL')));
  await relay?.close();
  await setup?.idp.close();
  await upstream?.close();
});

test('three instances × two workers: denied on each within 1 s of the revoking call, never admitted after; a restarted instance denies too', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const instances = [await startInstance(), await startInstance(), await startInstance()];
  const userId = await setup.user('many@example.com');
  const { token } = await setup.login('many@example.com');
  // every worker verifies the token and caches it (admitted once seen before: the cache has room)
  for (const gateway of instances) for (let i = 0; i < 8; i++) assert.equal(await status(gateway, token), 200);

  const polls = instances.map(() => [] as Array<{ at: number; status: number }>);
  let stop = false;
  const pollers = instances.map(async (gateway, i) => {
    while (!stop) {
      const code = await status(gateway, token);
      polls[i]?.push({ at: performance.now(), status: code });
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const revokedAt = performance.now();
  const revoke = await setup.idp.api('DELETE', `/api/jwt/refresh?userId=${userId}`);
  assert.equal(revoke.status, 200);
  // poll until each instance has answered at least 20 times since its first denial (or 15 s)
  const deadline = Date.now() + 15_000;
  const settled = () => polls.every((p) => p.filter((x) => x.status === 401).length >= 20);
  while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  stop = true;
  await Promise.all(pollers);

  const lags: number[] = [];
  polls.forEach((p, i) => {
    const first = p.findIndex((x) => x.status === 401);
    assert.ok(first >= 0, `instance ${i + 1} never denied the revoked token`);
    const lag = (p[first] as { at: number }).at - revokedAt;
    lags.push(Math.round(lag));
    const after = p.slice(first);
    assert.deepEqual(after.filter((x) => x.status !== 401), [], `instance ${i + 1}: no admission after its first denial`);
    assert.ok(p.slice(0, first).every((x) => x.status === 200), `instance ${i + 1}: only admissions before`);
  });
  t.diagnostic(`revoking call → first denial, per instance: ${lags.join(' ms, ')} ms (target ≤ ${LAG_TARGET_MS} ms)`);
  for (const lag of lags) assert.ok(lag <= LAG_TARGET_MS, `denied within ${LAG_TARGET_MS} ms of the revoking call on every instance: ${lags.join(', ')} ms`);
  for (const [i, gateway] of instances.entries()) assert.equal(revokedPids(gateway).size, 2, `instance ${i + 1}: both workers denied`);

  // an instance restarted after the revocation reads it from the stream before it answers
  await instances[2]?.stop('SIGTERM');
  const restarted = await startInstance();
  for (let i = 0; i < 6; i++) assert.equal(await status(restarted, token), 401, 'denied from the first request');
  assert.equal(revokedPids(restarted).size, 2, 'by both workers');
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // iat has whole seconds (docs/auth.md)
  const fresh = await setup.login('many@example.com');
  assert.equal(await status(restarted, fresh.token), 200, 'a token issued after the revocation is admitted');
});

test('the Redis connection cut while the revocation happens: fail open meanwhile, caught up once it is back', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  relay = await startTcpRelay('127.0.0.1', 6379);
  const gateway = await startInstance(setup.gatewayTop('allow', `127.0.0.1:${relay.port}`));
  const userId = await setup.user('cut@example.com');
  const { token } = await setup.login('cut@example.com');
  for (let i = 0; i < 4; i++) assert.equal(await status(gateway, token), 200);
  const warnings = () => gateway.lines.filter((l) => String(l.msg).startsWith('revocation feed unavailable')).length;
  await relay.cut();
  const noticeBy = Date.now() + 15_000;
  while (warnings() < 2) {
    assert.ok(Date.now() < noticeBy, 'both workers log that the feed is unavailable');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal((await setup.idp.api('DELETE', `/api/jwt/refresh?userId=${userId}`)).status, 200);
  for (let i = 0; i < 4; i++) assert.equal(await status(gateway, token), 200, 'fail open: the gateway cannot know yet');
  await relay.restore();
  await untilBothWorkersDeny(gateway, token);
  for (let i = 0; i < 6; i++) assert.equal(await status(gateway, token), 401, 'then every request is denied');
});

test('CLIENT KILL of the gateways\' feed connections: they reconnect and catch up', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const gateway = await startInstance();
  const userId = await setup.user('killed@example.com');
  const { token } = await setup.login('killed@example.com');
  for (let i = 0; i < 4; i++) assert.equal(await status(gateway, token), 200);
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  try {
    await redis.connect();
    const name = `gatehouse-revocation@${setup.prefix}revocations`;
    const list = (await redis.call('CLIENT', 'LIST')) as string;
    const ids = list.split('\n').filter((line) => line.includes(` name=${name} `)).map((line) => /^id=(\d+)/.exec(line)?.[1]).filter((id): id is string => id !== undefined);
    assert.ok(ids.length >= 2, `the feed connections of every worker of every instance are listed (${ids.length})`);
    for (const id of ids) await redis.call('CLIENT', 'KILL', 'ID', id);
    assert.equal((await setup.idp.api('DELETE', `/api/jwt/refresh?userId=${userId}`)).status, 200);
    await untilBothWorkersDeny(gateway, token);
    for (let i = 0; i < 6; i++) assert.equal(await status(gateway, token), 401, 'then every request is denied');
    assert.ok(gateway.lines.some((l) => String(l.msg).startsWith('revocation feed unavailable')), 'the lost connection was logged');
  } finally {
    redis.disconnect();
  }
});
