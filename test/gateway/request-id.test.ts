/**
 * `request_id` on a frontend: one ID per request, to the upstream, back to the client (also on the
 * gateway's own answers and auth denials) and into the access log; a client's well-formed ID is kept
 * unless `trust_client: false`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startInProcess } from './support/in-process.js';
import { startUpstream, type Echo } from './support/upstream.js';
import { closedPort } from './support/upstream.js';
import { testPolicyConfig } from './auth/support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const app = await startUpstream('app', (req, res) => {
  if (req.url !== '/own-id') return false;
  res.writeHead(200, { 'x-request-id': 'the-upstreams-own', 'content-type': 'text/plain' }).end('ok');
  return true;
});
after(() => app.close());

test('an ID per request: upstream, response and access log agree; a client ID is kept only when well-formed', async () => {
  const dead = await closedPort();
  const gw = await startInProcess({
    auth: { api: testPolicyConfig() },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        request_id: true,
        routes: [
          { path_prefix: '/private', backend: 'app', auth: 'api' },
          { path_prefix: '/dead', backend: 'dead' },
        ],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } }, dead: { retries: 0, passive: false, servers: { d: { address: `127.0.0.1:${dead}` } } } },
  });
  try {
    const fresh = await request(`${gw.url}/x`);
    const echo = (await fresh.body.json()) as Echo;
    const id = fresh.headers['x-request-id'] as string;
    assert.match(id, UUID);
    assert.equal(echo.headers['x-request-id'], id, 'the upstream got the same ID');
    assert.equal(gw.logs.find((l) => l.path === '/x')?.request_id, id, 'and so did the access log');

    const kept = await request(`${gw.url}/y`, { headers: { 'x-request-id': 'client-abc_123:4' } });
    assert.equal(((await kept.body.json()) as Echo).headers['x-request-id'], 'client-abc_123:4');
    assert.equal(kept.headers['x-request-id'], 'client-abc_123:4');
    for (const bad of ['has space', 'x'.repeat(201), '<script>']) {
      const replaced = await request(`${gw.url}/z`, { headers: { 'x-request-id': bad } });
      const seen = ((await replaced.body.json()) as Echo).headers['x-request-id'];
      assert.match(String(seen), UUID, `${bad.slice(0, 20)} replaced`);
    }

    const own = await request(`${gw.url}/own-id`);
    await own.body.dump();
    assert.match(String(own.headers['x-request-id']), UUID, "the upstream's own copy is replaced by ours");

    const denied = await request(`${gw.url}/private/x`);
    assert.equal(denied.statusCode, 401);
    await denied.body.dump();
    assert.match(String(denied.headers['x-request-id']), UUID, 'an auth denial carries it');
    const failed = await request(`${gw.url}/dead/x`);
    assert.equal(failed.statusCode, 502);
    await failed.body.dump();
    const failedId = String(failed.headers['x-request-id']);
    assert.match(failedId, UUID, "the gateway's own 502 carries it");
    assert.equal(gw.logs.find((l) => l.status === 502)?.request_id, failedId);
  } finally {
    await gw.close();
  }
});

test('a custom header, and trust_client: false', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', request_id: { header: 'X-Trace', trust_client: false } } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const response = await request(`${gw.url}/x`, { headers: { 'x-trace': 'from-client' } });
    const echo = (await response.body.json()) as Echo;
    assert.match(String(echo.headers['x-trace']), UUID, 'a client ID is never kept');
    assert.equal(echo.rawHeaders.filter((h) => h.toLowerCase() === 'x-trace').length, 1, 'one copy, ours');
    assert.equal(response.headers['x-trace'], echo.headers['x-trace']);
    assert.equal(echo.headers['x-request-id'], undefined);
  } finally {
    await gw.close();
  }
});
