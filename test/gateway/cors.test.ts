/**
 * CORS on a frontend and a route: preflights answered by the gateway before authorization, the
 * Access-Control-* headers added for allowed origins only (an upstream's own replaced), auth denials
 * readable by the browser, and the config checks.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { compileCors, originAllowed } from '../../src/gateway/forward/cors.js';
import { configProblems } from './support/config-problems.js';
import { startInProcess } from './support/in-process.js';
import { startUpstream } from './support/upstream.js';
import { testPolicyConfig, token, validClaims } from './auth/support.js';

const app = await startUpstream('app', (req, res) => {
  if (!req.url?.endsWith('/own-cors')) return false;
  res.writeHead(200, { 'access-control-allow-origin': '*', vary: 'Accept-Encoding', 'content-type': 'text/plain' }).end('ok');
  return true;
});
after(() => app.close());

test('allowed origins: exact, *.suffix subdomains on the same scheme, or any', () => {
  const policy = compileCors(undefined, { origins: ['https://app.example.com', 'https://*.example.org'], methods: ['GET'], headers: [], expose_headers: [], credentials: false, max_age: 1000 })!;
  assert.equal(originAllowed(policy, 'https://app.example.com'), true);
  assert.equal(originAllowed(policy, 'https://a.example.org'), true);
  assert.equal(originAllowed(policy, 'https://a.b.example.org'), true);
  assert.equal(originAllowed(policy, 'https://example.org'), false, 'the bare domain is not a subdomain');
  assert.equal(originAllowed(policy, 'http://a.example.org'), false, 'another scheme');
  assert.equal(originAllowed(policy, 'https://evil.com/.example.org'), false);
  assert.equal(originAllowed(policy, 'https://app.example.com.evil.com'), false);
  assert.equal(originAllowed(policy, 'null'), false);
  const any = compileCors({ origins: ['*'], methods: ['GET'], headers: [], expose_headers: [], credentials: false, max_age: 1000 }, undefined)!;
  assert.equal(originAllowed(any, 'https://anything.test'), true);
});

test('preflights, actual requests and denials through the gateway', async () => {
  const gw = await startInProcess({
    auth: { api: testPolicyConfig() },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        auth: 'api',
        cors: { origins: ['https://app.example.com'], credentials: true, expose_headers: ['X-Request-Id'], max_age: '1h' },
        routes: [{ path_prefix: '/public', backend: 'app', auth: false, cors: { origins: ['*'] } }],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  const nowS = Math.floor(Date.now() / 1000);
  const bearer = `Bearer ${token({ claims: validClaims({ exp: nowS + 60, iat: nowS }) })}`;
  const app1 = 'https://app.example.com';
  try {
    const before = app.requests;
    const preflight = await request(`${gw.url}/orders`, { method: 'OPTIONS', headers: { origin: app1, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    assert.equal(preflight.statusCode, 204, 'answered without a token');
    assert.equal(preflight.headers['access-control-allow-origin'], app1);
    assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
    assert.equal(preflight.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT, PATCH, DELETE');
    assert.equal(preflight.headers['access-control-allow-headers'], 'Authorization, Content-Type');
    assert.equal(preflight.headers['access-control-max-age'], '3600');
    await preflight.body.dump();
    const foreign = await request(`${gw.url}/orders`, { method: 'OPTIONS', headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' } });
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    await foreign.body.dump();
    assert.equal(app.requests, before, 'preflights never reach the upstream');

    const actual = await request(`${gw.url}/own-cors`, { headers: { origin: app1, authorization: bearer } });
    assert.equal(actual.statusCode, 200);
    assert.equal(actual.headers['access-control-allow-origin'], app1, "the upstream's * is replaced");
    assert.equal(actual.headers['access-control-allow-credentials'], 'true');
    assert.equal(actual.headers['access-control-expose-headers'], 'X-Request-Id');
    assert.equal(actual.headers.vary, 'Accept-Encoding, Origin');
    await actual.body.dump();

    const denied = await request(`${gw.url}/orders`, { headers: { origin: app1 } });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['access-control-allow-origin'], app1, 'the browser may read the denial');
    await denied.body.dump();

    const other = await request(`${gw.url}/orders`, { headers: { origin: 'https://evil.test', authorization: bearer } });
    assert.equal(other.statusCode, 200);
    assert.equal(other.headers['access-control-allow-origin'], undefined, 'no CORS headers for other origins');
    await other.body.dump();

    const open = await request(`${gw.url}/public/x`, { headers: { origin: 'https://anyone.test' } });
    assert.equal(open.statusCode, 200);
    assert.equal(open.headers['access-control-allow-origin'], '*', "the route's block replaces the frontend's");
    assert.equal(open.headers['access-control-allow-credentials'], undefined);
    await open.body.dump();
  } finally {
    await gw.close();
  }
});

test('config: credentials never with *, origins must be origins', () => {
  const message = configProblems({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', cors: { origins: ['*'], credentials: true }, routes: [{ path_prefix: '/x', backend: 'app', cors: { origins: ['app.example.com', 'https://app.example.com/path'] } }] } },
    backends: { app: { servers: { a: { address: '127.0.0.1:9' } } } },
  });
  assert.match(message, /frontends\.web\.cors\.credentials: credentials cannot be allowed for any origin/);
  assert.match(message, /frontends\.web\.routes\[0\]\.cors\.origins\[0\]: expected \*, or an origin/);
  assert.match(message, /frontends\.web\.routes\[0\]\.cors\.origins\[1\]: expected \*, or an origin/);
});
