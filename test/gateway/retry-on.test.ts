/**
 * `retry_on` (HAProxy's `retry-on`): a listed 5xx answer, or a response timeout, sends an idempotent
 * request without a body to another server, as a failed connection does; requests with a body, a spent
 * `retries` budget or no other server get the answer as it came.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { configProblems } from './support/config-problems.js';
import { startInProcess } from './support/in-process.js';
import { startUpstream, type Echo } from './support/upstream.js';

const failing = await startUpstream('failing', (_req, res) => {
  res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('restarting');
  return true;
});
const good = await startUpstream('good');
const silent = await startUpstream('silent', () => true); // takes the request, never answers
after(() => Promise.all([failing.close(), good.close(), silent.close()]));

const backend = (first: string, extra: Record<string, unknown> = {}) => ({
  balance: 'roundrobin',
  passive: false,
  ...extra,
  servers: { first: { address: first }, second: { address: good.address } },
});

async function call(url: string, method = 'GET', body?: string) {
  const res = await request(url, { method, body });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

test('retry_on: [503] — a 503 sends GETs to the other server; a POST with a body, and retries: 0, get the 503', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', routes: [{ path_prefix: '/no-retries', backend: 'strict' }] } },
    backends: { app: backend(failing.address, { retry_on: [503] }), strict: backend(failing.address, { retry_on: [503], retries: 0 }) },
  });
  try {
    const before = failing.requests;
    for (let i = 0; i < 6; i++) {
      const res = await call(`${gw.url}/get`);
      assert.equal(res.status, 200, `request ${i + 1}`);
      assert.equal((JSON.parse(res.text) as Echo).server, 'good');
    }
    assert.ok(failing.requests - before >= 3, 'round robin kept trying the failing server; its 503s were retried');
    const metrics = await gw.gateway.metrics.registry.metrics();
    assert.match(metrics, /gatehouse_retries_total\{backend="app"\} [3-6]\b/);
    const posts = await Promise.all([call(`${gw.url}/post`, 'POST', 'x'), call(`${gw.url}/post`, 'POST', 'x')]);
    assert.deepEqual(posts.map((p) => p.status).sort(), [200, 503], 'a POST with a body is never replayed: the one that met the 503 got it');
    assert.equal(posts.find((p) => p.status === 503)?.text, 'restarting', 'passed through as the server sent it');
    const strict = await Promise.all([call(`${gw.url}/no-retries/a`), call(`${gw.url}/no-retries/b`)]);
    assert.deepEqual(strict.map((r) => r.status).sort(), [200, 503], 'retries: 0');
  } finally {
    await gw.close();
  }
});

test('without retry_on, or when every server answers the status, the answer passes through', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'plain', routes: [{ path_prefix: '/all', backend: 'allfail' }] } },
    backends: {
      plain: backend(failing.address),
      allfail: { retry_on: [503], passive: false, servers: { one: { address: failing.address }, two: { address: failing.address } } },
    },
  });
  try {
    const plain = await Promise.all([call(`${gw.url}/a`), call(`${gw.url}/b`)]);
    assert.deepEqual(plain.map((r) => r.status).sort(), [200, 503], 'no retry_on: the 503 is the answer');
    const all = await call(`${gw.url}/all`);
    assert.equal(all.status, 503, 'retried once, then the last answer');
    assert.equal(all.text, 'restarting');
  } finally {
    await gw.close();
  }
});

test('retry_on: [response-timeout] — a server that does not answer in time: the GET goes to the other server instead of 504', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', routes: [{ path_prefix: '/plain', backend: 'plain' }] } },
    backends: {
      app: backend(silent.address, { retry_on: ['response-timeout'], timeouts: { server: '300ms' } }),
      plain: backend(silent.address, { timeouts: { server: '300ms' } }),
    },
  });
  try {
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await call(`${gw.url}/x`)).status);
    assert.deepEqual(statuses, [200, 200], 'one of them waited 300 ms for the silent server, then got the other');
    const plain = [];
    for (let i = 0; i < 2; i++) plain.push((await call(`${gw.url}/plain/x`)).status);
    assert.deepEqual(plain.sort(), [200, 504], 'without retry_on the timeout is a 504');
  } finally {
    await gw.close();
  }
});

test('retry_on config problems are reported with their key paths', () => {
  const problems = configProblems({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { retry_on: [404, 'empty-response'], servers: { a: { address: '127.0.0.1:1' } } } },
  });
  assert.match(problems, /backends\.app\.retry_on\[0\]: expected 500, 502, 503, 504 or response-timeout/);
  assert.match(problems, /backends\.app\.retry_on\[1\]: expected 500, 502, 503, 504 or response-timeout/);
});
