/**
 * Route conditions (`routes[].match`: path, header, method, source, not, any, all) and ordered,
 * conditional request header rules (`request_header_rules` on a frontend and a backend, `add` in
 * `request_headers`) through the real gateway, real sockets; the source address through a trusted
 * proxy's X-Forwarded-For. Also the evaluator alone, and the config checks.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { compileMatch, type MatchTerm, type RequestFacts } from '../../../src/gateway/route/index.js';
import { parseCidr } from '../../../src/gateway/config/index.js';
import { configProblems } from '../support/config-problems.js';
import { startInProcess } from '../support/in-process.js';
import { startUpstream, type Echo } from '../support/upstream.js';
import { AUDIENCE, ISSUER, rsaKey, token, validClaims } from '../auth/support.js';

const api = await startUpstream('api');
const web = await startUpstream('web');
after(() => Promise.all([api.close(), web.close()]));

function facts(path: string, headers: Record<string, string | string[]> = {}, method = 'GET', source = '127.0.0.1'): RequestFacts {
  return { path, requestMethod: () => method, headerCopies: (name) => headers[name], source: () => source };
}

test('compileMatch: each test kind, comma-separated header values, ignore_case, not/any/all', () => {
  const m = (terms: MatchTerm[]) => compileMatch(terms);
  assert.equal(m([{ path: { equals: ['/a'] } }])(facts('/a')), true);
  assert.equal(m([{ path: { equals: ['/a'] } }])(facts('/a/b')), false);
  assert.equal(m([{ path: { begins: ['/ap'] } }])(facts('/apix')), true, 'begins is a plain string prefix, as path_beg');
  assert.equal(m([{ path: { ends: ['.php'] } }])(facts('/x/index.php')), true);
  assert.equal(m([{ path: { ends: ['.PHP'], ignore_case: true } }])(facts('/index.php')), true);
  assert.equal(m([{ path: { ends: ['.PHP'] } }])(facts('/index.php')), false);
  assert.equal(m([{ path: { contains: ['/admin/'] } }])(facts('/x/admin/y')), true);
  assert.equal(m([{ path: { regex: ['^/v[0-9]+/'] } }])(facts('/v12/items')), true);
  assert.equal(m([{ path: { regex: ['^/v[0-9]+/'] } }])(facts('/vx/items')), false);
  assert.equal(m([{ header: { name: 'X-Env', equals: ['prod'] } }])(facts('/', { 'x-env': 'dev, prod' })), true, 'each comma-separated value');
  assert.equal(m([{ header: { name: 'x-env', equals: ['prod'] } }])(facts('/', { 'x-env': ['dev', 'prod'] })), true, 'each copy');
  assert.equal(m([{ header: { name: 'x-env', equals: ['prod'] } }])(facts('/', { 'x-env': 'production' })), false);
  assert.equal(m([{ header: { name: 'host', begins: ['api.'] } }])(facts('/', { host: 'api.example.com:8080' })), true);
  assert.equal(m([{ header: { name: 'x-debug', present: true } }])(facts('/', { 'x-debug': '' })), true);
  assert.equal(m([{ header: { name: 'x-debug', present: true } }])(facts('/')), false);
  assert.equal(m([{ method: ['POST', 'PUT'] }])(facts('/', {}, 'PUT')), true);
  assert.equal(m([{ method: ['POST', 'PUT'] }])(facts('/', {}, 'GET')), false);
  const tenEight = [parseCidr('10.0.0.0/8')!];
  assert.equal(m([{ source: tenEight }])(facts('/', {}, 'GET', '10.1.2.3')), true);
  assert.equal(m([{ source: tenEight }])(facts('/', {}, 'GET', '::ffff:10.1.2.3')), true);
  assert.equal(m([{ not: { source: tenEight } }])(facts('/', {}, 'GET', '192.0.2.1')), true);
  const either: MatchTerm[] = [{ any: [{ path: { ends: ['.php'] } }, { all: [{ method: ['DELETE'] }, { path: { begins: ['/x'] } }] }] }];
  assert.equal(m(either)(facts('/a.php')), true);
  assert.equal(m(either)(facts('/x/1', {}, 'DELETE')), true);
  assert.equal(m(either)(facts('/x/1', {}, 'GET')), false);
  assert.equal(m([{ path: { begins: ['/x'] } }, { method: ['GET'] }])(facts('/x', {}, 'POST')), false, 'a list is an AND');
});

test('routes[].match routes by regex, header, source and negation; a failed condition falls through to the next route', async () => {
  const gw = await startInProcess({
    trusted_proxies: ['127.0.0.1/32'],
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'web',
        routes: [
          { match: [{ not: { source: ['10.0.0.0/8'] } }, { path: { begins: ['/internal'] } }], return: { status: 403, body: 'internal only' } },
          { match: [{ path: { regex: ['^/v[0-9]+/'] } }], backend: 'api' },
          { path_prefix: '/beta', match: [{ header: { name: 'X-Beta', equals: ['on'], ignore_case: true } }], backend: 'api' },
        ],
      },
    },
    backends: { api: { servers: { a: { address: api.address } } }, web: { servers: { w: { address: web.address } } } },
  });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await request(`${gw.url}${path}`, { headers });
    const text = await response.body.text();
    return { status: response.statusCode, server: response.statusCode === 200 ? (JSON.parse(text) as Echo).server : text };
  };
  try {
    assert.deepEqual(await get('/internal/x'), { status: 403, server: 'internal only' }, 'from 127.0.0.1: refused');
    assert.deepEqual(await get('/internal/x', { 'x-forwarded-for': '10.9.8.7' }), { status: 200, server: 'web' }, 'from 10.9.8.7 through a trusted proxy: passes to the default');
    assert.deepEqual(await get('/internal/x', { 'x-forwarded-for': '192.0.2.1' }), { status: 403, server: 'internal only' });
    assert.deepEqual(await get('/v2/items'), { status: 200, server: 'api' });
    assert.deepEqual(await get('/vx/items'), { status: 200, server: 'web' });
    assert.deepEqual(await get('/beta/x', { 'x-beta': 'ON' }), { status: 200, server: 'api' });
    assert.deepEqual(await get('/beta/x', { 'x-beta': 'off' }), { status: 200, server: 'web' }, 'the condition fails: the next route, then the default');
    assert.deepEqual(await get('/beta/x'), { status: 200, server: 'web' });
  } finally {
    await gw.close();
  }
});

test('request_header_rules run in order when their match holds, the backend\'s after the frontend\'s; add keeps the client copy; a claim header is never edited', async () => {
  const gw = await startInProcess({
    auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, forward: { headers: { 'X-User': 'sub' } } } },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'web',
        request_headers: { set: { 'X-Gateway': 'gatehouse' }, add: { 'X-Tag': 'edge' } },
        request_header_rules: [
          { set: { 'X-Env': 'dev' } },
          { match: [{ header: { name: 'host', ends: ['.prod.example'] } }], set: { 'X-Env': 'prod' } },
          { match: [{ not: { method: ['GET', 'HEAD'] } }], add: { 'X-Write': '1' } },
          { match: [{ path: { begins: ['/quiet'] } }], remove: ['X-Debug'] },
          { set: { 'X-User': 'forged-by-rule' } },
        ],
        routes: [
          { path_prefix: '/api', backend: 'api' },
          { path_prefix: '/me', backend: 'web', auth: 'jwt' },
        ],
      },
    },
    backends: {
      api: { request_header_rules: [{ match: [{ header: { name: 'X-Env', equals: ['prod'] } }], add: { 'X-Api-Prod': 'yes' } }, { remove: ['X-Tag'] }], servers: { a: { address: api.address } } },
      web: { servers: { w: { address: web.address } } },
    },
  });
  const send = async (path: string, headers: Record<string, string>, method = 'GET') => {
    const response = await request(`${gw.url}${path}`, { method, headers });
    return JSON.parse(await response.body.text()) as Echo;
  };
  try {
    const dev = await send('/x', { host: 'www.dev.example', 'x-tag': 'client', 'x-debug': '1' });
    assert.equal(dev.headers['x-env'], 'dev');
    assert.deepEqual(dev.rawHeaders.filter((_, i, a) => i % 2 === 1 && /^x-tag$/i.test(a[i - 1] as string)), ['client', 'edge'], 'add keeps the client copy and adds one');
    assert.equal(dev.headers['x-write'], undefined);
    assert.equal(dev.headers['x-debug'], '1');
    assert.equal(dev.headers['x-gateway'], 'gatehouse');

    const prod = await send('/quiet', { host: 'www.prod.example', 'x-env': 'forged', 'x-debug': '1' }, 'POST');
    assert.equal(prod.headers['x-env'], 'prod', 'the later rule whose match holds wins');
    assert.equal(prod.headers['x-write'], '1');
    assert.equal(prod.headers['x-debug'], undefined);

    const apiProd = await send('/api/x', { host: 'a.prod.example' });
    assert.equal(apiProd.server, 'api');
    assert.equal(apiProd.headers['x-api-prod'], undefined, "backend conditions read the client's headers, not the frontend's edits");
    assert.equal(apiProd.headers['x-tag'], undefined, "the backend's remove runs after the frontend's add");
    const apiClient = await send('/api/x', { host: 'a.prod.example', 'x-env': 'prod' });
    assert.equal(apiClient.headers['x-api-prod'], 'yes');

    const nowS = Math.floor(Date.now() / 1000);
    const me = await send('/me', { authorization: `Bearer ${token({ claims: validClaims({ exp: nowS + 60, iat: nowS }) })}` });
    assert.equal(me.headers['x-user'], 'user-1', 'the verified claim wins over a rule');
    const anonymous = await send('/x', {});
    assert.equal(anonymous.headers['x-user'], undefined, 'a rule cannot set a claim header either');
  } finally {
    await gw.close();
  }
});

test('config: match terms and header rule lists are checked at load with their key path', () => {
  const message = configProblems({
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'b',
        routes: [
          { match: [{ path: { regex: ['(unclosed'] } }], backend: 'b' },
          { match: [{ path: { begins: ['/a'], ends: ['/b'] } }], backend: 'b' },
          { match: [{ source: ['not-an-ip'] }], backend: 'b' },
          { match: [{ cookie: 'x' }], backend: 'b' },
        ],
        request_header_rules: [{ set: { 'X-Forwarded-For': '1.2.3.4' } }, { match: [{ method: ['GET'] }] }],
      },
    },
    backends: { b: { servers: { s: { address: '127.0.0.1:1' } } } },
  });
  assert.match(message, /routes\[0\]\.match\[0\]\.path\.regex\[0\]: expected a regular expression/);
  assert.match(message, /routes\[1\]\.match\[0\]\.path: give exactly one of equals, begins, ends, contains, regex/);
  assert.match(message, /routes\[2\]\.match\[0\]\.source\[0\]: expected an IP address or CIDR range/);
  assert.match(message, /routes\[3\]\.match\[0\]: .*cookie/);
  assert.match(message, /request_header_rules\[0\]\.set\.X-Forwarded-For: a request header rule cannot set/);
  assert.match(message, /request_header_rules\[1\]: give at least one of set, add, remove/);
});
