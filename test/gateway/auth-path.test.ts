/**
 * The gateway's side of the auth contract (src/gateway/auth/types.ts), with a tiny test-only AuthPolicy
 * (a double of the interface; the real JWT policy has its own tests): deny responses are written exactly
 * as given and never reach an upstream; allow applies removeHeaders then setHeaders; sync and async
 * decisions both work; route requirements reach the policy; `auth: false` opts a route out.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import type { AuthDecision, AuthPolicy, AuthRequest, RouteRequirements } from '../../src/gateway/auth/index.js';
import { startUpstream, type Echo } from './support/upstream.js';
import { startInProcess } from './support/in-process.js';

const upstream = await startUpstream('a');
after(() => upstream.close());

class HeaderPolicy implements AuthPolicy {
  readonly name: string;
  readonly calls: Array<{ request: AuthRequest; requirements: RouteRequirements | undefined }> = [];
  closed = false;
  private readonly async: boolean;
  constructor(name: string, async: boolean) {
    this.name = name;
    this.async = async;
  }
  authorize(request: AuthRequest, requirements?: RouteRequirements): AuthDecision | Promise<AuthDecision> {
    this.calls.push({ request, requirements });
    const decision: AuthDecision =
      request.headers.authorization === 'Bearer good'
        ? { ok: true, setHeaders: [['x-user', 'alice'], ['x-evil', 'a\r\nx-injected: 1']], removeHeaders: ['authorization', 'x-user'], subject: 'alice' }
        : { ok: false, status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"', 'content-type': 'text/html' }, body: 'Invalid JWT signature', reason: 'SIG' };
    return this.async ? Promise.resolve(decision) : decision;
  }
  close(): void {
    this.closed = true;
  }
}

const policies: HeaderPolicy[] = [];
const factory = async (name: string) => {
  const policy = new HeaderPolicy(name, name === 'async');
  policies.push(policy);
  return policy;
};

// A policy config valid under the real auth schema; the test doubles never read the key file.
const policyConfig = { issuer: 'https://issuer.test', audience: 'api', keys: { file: 'never-read-by-the-double.pem' } };

const config = {
  auth: { sync: policyConfig, async: policyConfig },
  frontends: {
    web: {
      bind: '127.0.0.1:0',
      auth: 'sync',
      default_backend: 'A',
      routes: [
        { path_prefix: '/public', backend: 'A', auth: false },
        { path_prefix: '/admin', backend: 'A', auth: { policy: 'async', roles: ['admin'], scopes: ['write'] } },
      ],
    },
  },
  backends: { A: { servers: { a: { address: upstream.address } } } },
};

test('deny: status, headers and body exactly as the policy gives them; the upstream is never contacted', async () => {
  const gw = await startInProcess(config, 'web', factory);
  try {
    const before = upstream.requests;
    for (const path of ['/orders', '/admin/x']) {
      const r = await request(`${gw.url}${path}`, { headers: { authorization: 'Bearer forged' } });
      assert.equal(r.statusCode, 401);
      assert.equal(r.headers['www-authenticate'], 'Bearer error="invalid_token"');
      assert.equal(r.headers['content-type'], 'text/html');
      assert.equal(await r.body.text(), 'Invalid JWT signature');
    }
    assert.equal(upstream.requests, before);
    assert.match(await gw.gateway.metrics.registry.metrics(), /gatehouse_auth_denied_total\{frontend="web",policy="sync",reason="SIG"\} 1/);
  } finally {
    await gw.close();
  }
});

test('allow: removeHeaders then setHeaders on the upstream request; unsafe values are dropped', async () => {
  const gw = await startInProcess(config, 'web', factory);
  try {
    const r = await request(`${gw.url}/orders`, { headers: { authorization: 'Bearer good', 'x-user': 'mallory' } });
    const echo = JSON.parse(await r.body.text()) as Echo;
    assert.equal(r.statusCode, 200);
    assert.equal(echo.headers.authorization, undefined);
    assert.equal(echo.headers['x-user'], 'alice', 'the client-sent copy is replaced');
    assert.equal(echo.headers['x-evil'], undefined);
    assert.equal(echo.headers['x-injected'], undefined);
  } finally {
    await gw.close();
  }
});

test('frontend policy by default, route policy with requirements, auth: false opts out; sync and async both work', async () => {
  const gw = await startInProcess(config, 'web', factory);
  try {
    const sync = policies.at(-2)!;
    const async = policies.at(-1)!;
    assert.equal((await request(`${gw.url}/public/x`)).statusCode, 200);
    assert.equal(sync.calls.length + async.calls.length, 0, 'auth: false calls no policy');
    const admin = await request(`${gw.url}/admin/%2e%2e/admin/panel`, { headers: { authorization: 'Bearer good' } });
    await admin.body.dump();
    assert.equal(admin.statusCode, 200);
    assert.equal(async.calls.length, 1);
    assert.equal(async.calls[0]!.request.path, '/admin/panel', 'the policy sees the normalised path');
    assert.deepEqual(async.calls[0]!.requirements, { roles: ['admin'], scopes: ['write'] });
    await (await request(`${gw.url}/other`, { headers: { authorization: 'Bearer good' } })).body.dump();
    assert.equal(sync.calls.length, 1);
  } finally {
    await gw.close();
  }
});

test('policies are built per config load and closed after a reload swaps them out', async () => {
  const gw = await startInProcess(config, 'web', factory);
  const first = policies.slice(-2);
  await gw.gateway.reload(gw.gateway.config());
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(first.every((p) => p.closed), 'old policies closed');
  const second = policies.slice(-2);
  assert.ok(second.every((p) => !p.closed && !first.includes(p)));
  await gw.close();
  assert.ok(second.every((p) => p.closed));
});

test('a policy that throws, rejects or returns headers Node refuses gets a 500, and the gateway keeps serving', async () => {
  const broken = (mode: string): AuthPolicy => ({
    name: mode,
    authorize: () => {
      if (mode === 'throws') throw new Error('boom');
      if (mode === 'rejects') return Promise.reject(new Error('boom'));
      return { ok: false, status: 401, headers: { 'x-bad': 'a\r\nb' }, body: 'no', reason: 'X' };
    },
    close: () => undefined,
  });
  const gw = await startInProcess(
    {
      auth: { throws: policyConfig, rejects: policyConfig, badheaders: policyConfig },
      frontends: { web: { bind: '127.0.0.1:0', routes: ['throws', 'rejects', 'badheaders'].map((p) => ({ path_prefix: `/${p}`, backend: 'A', auth: p })) } },
      backends: { A: { servers: { a: { address: upstream.address } } } },
    },
    'web',
    async (name) => broken(name),
  );
  try {
    for (const path of ['/throws', '/rejects', '/badheaders']) {
      const r = await request(`${gw.url}${path}`);
      assert.equal(r.statusCode, 500, path);
      assert.match(await r.body.text(), /authorization failed/);
    }
  } finally {
    await gw.close();
  }
});

test('a request waiting for an async decision during a reload still reaches the old generation’s upstream', async () => {
  let release: (() => void) | undefined;
  const slow: AuthPolicy = {
    name: 'slow',
    authorize: () =>
      new Promise<AuthDecision>((resolve) => {
        release = () => resolve({ ok: true, setHeaders: [], removeHeaders: [] });
      }),
    close: () => undefined,
  };
  const gw = await startInProcess(
    {
      auth: { slow: policyConfig },
      frontends: { web: { bind: '127.0.0.1:0', auth: 'slow', default_backend: 'A' } },
      backends: { A: { servers: { a: { address: upstream.address } } } },
    },
    'web',
    async () => slow,
  );
  try {
    const pending = request(`${gw.url}/during-reload`);
    while (release === undefined) await new Promise((r) => setTimeout(r, 10));
    const waiting = release;
    release = undefined;
    await gw.gateway.reload(gw.gateway.config());
    await new Promise((r) => setTimeout(r, 100)); // the old generation would have closed its pools by now
    waiting();
    const response = await pending;
    assert.equal(response.statusCode, 200);
    assert.match(await response.body.text(), /"url":"\/during-reload"/);
  } finally {
    const closing = gw.close();
    release?.();
    await closing;
  }
});

test('near misses under a frontend policy: a stricter route refuses them (404); an auth: false route lets them reach the default policy', async () => {
  const gw = await startInProcess(config, 'web', factory);
  try {
    const sync = policies.at(-2)!;
    const async = policies.at(-1)!;
    const before = upstream.requests;
    // /admin needs the async policy with roles and scopes; the default backend only the frontend's policy
    for (const path of ['/admin.php', '/adminx', '/admin%20x']) {
      const r = await request(`${gw.url}${path}`, { headers: { authorization: 'Bearer good' } });
      await r.body.dump();
      assert.equal(r.statusCode, 404, path);
    }
    assert.equal(async.calls.length + sync.calls.length, 0, 'refused before any policy');
    assert.equal(upstream.requests, before, 'nothing forwarded');
    // /publicity is not under the auth: false /public: the frontend's policy applies, as to any other path
    const denied = await request(`${gw.url}/publicity`);
    await denied.body.dump();
    assert.equal(denied.statusCode, 401);
    const allowed = await request(`${gw.url}/publicity`, { headers: { authorization: 'Bearer good' } });
    assert.match(await allowed.body.text(), /"url":"\/publicity"/);
  } finally {
    await gw.close();
  }
});
