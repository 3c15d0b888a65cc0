/**
 * Route path rewriting (`rewrite_prefix`) and header rules (`request_headers`, `response_headers`, on a
 * frontend and on a route) through the real gateway, real sockets; and the config checks that keep the
 * rules from touching framing or the X-Forwarded headers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { rewritePrefix } from '../../src/gateway/route/rewrite-prefix.js';
import { configProblems } from './support/config-problems.js';
import { startInProcess } from './support/in-process.js';
import { startUpstream, type Echo } from './support/upstream.js';
import { AUDIENCE, ISSUER, rsaKey, token, validClaims } from './auth/support.js';

const app = await startUpstream('app', (req, res) => {
  if (req.url !== '/branded') return false;
  res.writeHead(200, { 'x-powered-by': 'Express', server: 'upstream/1.0', 'content-type': 'text/plain' }).end('ok');
  return true;
});
after(() => app.close());

async function echo(url: string, headers: Record<string, string> = {}): Promise<{ status: number; echo: Echo | undefined }> {
  const response = await request(url, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, echo: response.statusCode === 200 ? (JSON.parse(text) as Echo) : undefined };
}

test('rewritePrefix: strip, replace, trailing slashes, the query and the bare prefix', () => {
  assert.equal(rewritePrefix('/api/users?x=1', '/api', '/'), '/users?x=1');
  assert.equal(rewritePrefix('/api', '/api', '/'), '/');
  assert.equal(rewritePrefix('/api?x=1', '/api', '/'), '/?x=1');
  assert.equal(rewritePrefix('/api/users', '/api', '/v2'), '/v2/users');
  assert.equal(rewritePrefix('/api/users', '/api', '/v2/'), '/v2/users');
  assert.equal(rewritePrefix('/api', '/api', '/v2'), '/v2');
  assert.equal(rewritePrefix('/v1/items', '/v1/', '/internal'), '/internal/items');
  assert.equal(rewritePrefix('/v1/items', '/v1/', '/'), '/items');
  assert.equal(rewritePrefix('/anything/x', '/', '/mounted'), '/mounted/anything/x');
});

test('rewrite_prefix changes only the upstream path, after normalisation, and cannot be escaped with dot segments', async () => {
  const gw = await startInProcess({
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        routes: [
          { path_prefix: '/api', rewrite_prefix: '/', backend: 'app' },
          { path_prefix: '/v1/', rewrite_prefix: '/internal/v2', backend: 'app' },
          { path_prefix: '/plain', backend: 'app' },
        ],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    assert.equal((await echo(`${gw.url}/api/users?id=7`)).echo?.url, '/users?id=7');
    assert.equal((await echo(`${gw.url}/api`)).echo?.url, '/');
    assert.equal((await echo(`${gw.url}/v1/items/3`)).echo?.url, '/internal/v2/items/3');
    assert.equal((await echo(`${gw.url}/plain/x`)).echo?.url, '/plain/x', 'a route without rewrite_prefix is untouched');
    // normalised first: /api/%2e%2e/v1/x is /v1/x, routed and rewritten as /v1/x
    assert.equal((await echo(`${gw.url}/api/%2e%2e/v1/x`)).echo?.url, '/internal/v2/x');
    // /apix is not under /api (segment-aware), and /api/../secret is /secret: no route, 404
    assert.equal((await echo(`${gw.url}/apix`)).status, 404);
    assert.equal((await echo(`${gw.url}/api/%2e%2e/secret`)).status, 404);
  } finally {
    await gw.close();
  }
});

test('request header rules: the frontend and the route set and remove; client copies are replaced; a forwarded claim wins', async () => {
  const gw = await startInProcess({
    auth: { api: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, forward: { headers: { 'X-User': 'sub' } } } },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        request_headers: { set: { 'X-Gateway': 'gatehouse', 'X-Tenant': 'default' }, remove: ['X-Debug'] },
        routes: [
          { path_prefix: '/tenant', backend: 'app', request_headers: { set: { 'X-Tenant': 't1', Host: 'internal.example' } } },
          { path_prefix: '/user', backend: 'app', auth: 'api', request_headers: { set: { 'X-User': 'static' } } },
        ],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const plain = (await echo(`${gw.url}/x`, { 'x-debug': '1', 'x-tenant': 'forged', 'x-gateway': 'forged' })).echo!;
    assert.equal(plain.headers['x-debug'], undefined);
    assert.equal(plain.headers['x-gateway'], 'gatehouse');
    assert.equal(plain.headers['x-tenant'], 'default');
    assert.equal(plain.rawHeaders.filter((h) => /^x-(tenant|gateway)$/i.test(h)).length, 2, 'one copy of each, ours');

    const routed = (await echo(`${gw.url}/tenant/x`, { 'x-tenant': 'forged', host: 'public.example' })).echo!;
    assert.equal(routed.headers['x-tenant'], 't1', "the route's set wins over the frontend's");
    assert.equal(routed.headers.host, 'internal.example');
    assert.equal(routed.headers['x-forwarded-host'], 'public.example', 'X-Forwarded-Host keeps what the client asked for');
    assert.equal(routed.headers['x-gateway'], 'gatehouse', "the frontend's other rules still apply");

    const nowS = Math.floor(Date.now() / 1000);
    const user = (await echo(`${gw.url}/user/x`, { authorization: `Bearer ${token({ claims: validClaims({ exp: nowS + 60, iat: nowS }) })}` })).echo!;
    assert.equal(user.headers['x-user'], 'user-1', 'the verified claim wins over a static rule');
  } finally {
    await gw.close();
  }
});

test('response header rules: set and remove on proxied responses; the route overrides the frontend', async () => {
  const gw = await startInProcess({
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        response_headers: { set: { 'X-Frame-Options': 'DENY', Server: 'gatehouse' }, remove: ['X-Powered-By'] },
        routes: [{ path_prefix: '/keep', rewrite_prefix: '/', backend: 'app', response_headers: { remove: ['Server'] } }],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const branded = await request(`${gw.url}/branded`);
    await branded.body.dump();
    assert.equal(branded.headers['x-powered-by'], undefined);
    assert.equal(branded.headers.server, 'gatehouse', 'one Server header, ours');
    assert.equal(branded.headers['x-frame-options'], 'DENY');
    assert.equal(branded.headers['content-type'], 'text/plain', 'other headers pass');
    const routed = await request(`${gw.url}/keep/branded`);
    await routed.body.dump();
    assert.equal(routed.headers.server, undefined, "the route's remove wins over the frontend's set");
    assert.equal(routed.headers['x-frame-options'], 'DENY');
  } finally {
    await gw.close();
  }
});

test('config: rules may not touch framing, hop-by-hop or X-Forwarded headers, nor hold control characters; rewrite_prefix needs a path_prefix', () => {
  const message = configProblems({
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        request_headers: { set: { 'Content-Length': '0' }, remove: ['X-Forwarded-For'] },
        response_headers: { set: { 'X-Ok': 'a\r\nSet-Cookie: x=1' }, remove: ['Transfer-Encoding'] },
        routes: [{ rewrite_prefix: '/x', backend: 'app' }, { path_prefix: '/y', rewrite_prefix: '/../z', backend: 'app' }],
      },
    },
    backends: { app: { servers: { a: { address: '127.0.0.1:9' } } } },
  });
  assert.match(message, /frontends\.web\.request_headers\.set\.Content-Length: a request header rule cannot/);
  assert.match(message, /frontends\.web\.request_headers\.remove\[0\]: a request header rule cannot/);
  assert.match(message, /frontends\.web\.response_headers\.set\.X-Ok: expected a header value without control characters/);
  assert.match(message, /frontends\.web\.response_headers\.remove\[0\]: a response header rule cannot/);
  assert.match(message, /frontends\.web\.routes\[0\]\.rewrite_prefix: rewrite_prefix needs a path_prefix/);
  assert.match(message, /frontends\.web\.routes\[1\]\.rewrite_prefix: expected a normalised path/);
});
