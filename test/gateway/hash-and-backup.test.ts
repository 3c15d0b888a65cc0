/**
 * Hash balancing and backup servers through the real gateway (real sockets, real upstreams):
 * `balance: hdr(x-user)` on a claim the JWT policy forwards keeps each user on one server, and a
 * server that goes down moves only its users; `backup: true` servers serve only while no other is up.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startInProcess } from './support/in-process.js';
import { startUpstream, type Echo } from './support/upstream.js';
import { AUDIENCE, ISSUER, rsaKey, token, validClaims } from './auth/support.js';

const a = await startUpstream('a');
const b = await startUpstream('b');
const c = await startUpstream('c');
after(() => Promise.all([a.close(), b.close(), c.close()]));

const nowS = Math.floor(Date.now() / 1000);

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(check(), `timed out waiting for ${what}`);
}

test('balance: hdr(x-user) on the forwarded sub claim keeps each user on one server; a server going down moves only its users', async () => {
  // signed before the gateway starts: RSA signing blocks this process's event loop, the gateway's too
  const users = Array.from({ length: 24 }, (_, i) => `user-${i}`);
  const tokens = new Map(users.map((sub) => [sub, token({ claims: validClaims({ sub, exp: nowS + 3600, iat: nowS }) })]));
  const gw = await startInProcess({
    auth: { api: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, forward: { headers: { 'X-User': 'sub' } } } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'api' } },
    backends: {
      app: {
        balance: 'hdr(x-user)',
        check: { path: '/health', interval: '100ms', timeout: '500ms', rise: 1, fall: 1 },
        servers: { a: { address: a.address }, b: { address: b.address }, c: { address: c.address } },
      },
    },
  });
  const serverOf = async (sub: string): Promise<string> => {
    // a client-sent X-User is dropped before hashing: only the verified claim counts
    const response = await request(`${gw.url}/`, { headers: { authorization: `Bearer ${tokens.get(sub)}`, 'x-user': 'someone-else' } });
    assert.equal(response.statusCode, 200);
    const echo = (await response.body.json()) as Echo;
    assert.equal(echo.headers['x-user'], sub);
    return echo.server;
  };
  const state = (name: string) => gw.gateway.stats().backends[0]!.servers.find((s) => s.name === name)!.up;
  try {
    const placed = new Map<string, string>();
    for (const sub of users) placed.set(sub, await serverOf(sub));
    for (const sub of users) for (let i = 0; i < 3; i++) assert.equal(await serverOf(sub), placed.get(sub), `${sub} stays on its server`);
    assert.equal(new Set(placed.values()).size, 3, 'the users spread over all three servers');

    b.healthy = false;
    await until(() => !state('b'), 'b down');
    for (const sub of users) {
      const now = await serverOf(sub);
      if (placed.get(sub) === 'b') assert.notEqual(now, 'b');
      else assert.equal(now, placed.get(sub), `${sub} did not move`);
    }
    b.healthy = true;
    await until(() => state('b'), 'b up');
    for (const sub of users) assert.equal(await serverOf(sub), placed.get(sub), `${sub} is back on its server`);
  } finally {
    b.healthy = true;
    await gw.close();
  }
});

test('a backup server serves only while no other server is up, and shows as backup on the stats page', async () => {
  const gw = await startInProcess({
    admin: { bind: '127.0.0.1:0' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: {
      app: {
        check: { path: '/health', interval: '100ms', timeout: '500ms', rise: 1, fall: 1 },
        servers: { a: { address: a.address }, b: { address: b.address }, spare: { address: c.address, backup: true } },
      },
    },
  });
  const served = async (n: number) => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(((await (await request(`${gw.url}/`)).body.json()) as Echo).server);
    return [...seen].sort();
  };
  const state = (name: string) => gw.gateway.stats().backends[0]!.servers.find((s) => s.name === name)!.up;
  try {
    assert.deepEqual(await served(8), ['a', 'b']);
    a.healthy = false;
    await until(() => !state('a'), 'a down');
    assert.deepEqual(await served(6), ['b'], 'one primary left is enough');
    b.healthy = false;
    await until(() => !state('b'), 'b down');
    assert.deepEqual(await served(6), ['c'], 'no primary: the backup serves');
    a.healthy = true;
    await until(() => state('a'), 'a up');
    assert.deepEqual(await served(6), ['a'], 'a primary is back: the backup is idle again');
    const html = await (await request(`http://127.0.0.1:${gw.gateway.admin!.port}/stats`)).body.text();
    assert.match(html, /<td>spare<\/td><td>127\.0\.0\.1:\d+<\/td><td>UP<\/td><td>1 \(backup\)<\/td>/);
  } finally {
    a.healthy = true;
    b.healthy = true;
    await gw.close();
  }
});
