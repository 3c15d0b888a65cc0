/**
 * Source address rules: `allow_from` / `deny_from` on a frontend and a route, judged on the client's
 * address (the peer, or behind a trusted proxy the rightmost X-Forwarded-For entry that is not a trusted
 * proxy), answered 403 before authorization and before any upstream is contacted.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { parseCidr } from '../../src/gateway/config/index.js';
import { sourceAddress, sourceAllowed } from '../../src/gateway/listen/source-rules.js';
import { configProblems } from './support/config-problems.js';
import { startInProcess } from './support/in-process.js';
import { rawRequest } from './support/raw-http.js';
import { startUpstream } from './support/upstream.js';

const app = await startUpstream('app');
after(() => app.close());

const cidrs = (...values: string[]) => values.map((v) => parseCidr(v)!);

test('the address judged: the peer, or behind trusted proxies the rightmost untrusted X-Forwarded-For entry', () => {
  const proxies = cidrs('10.0.0.0/8');
  assert.equal(sourceAddress('203.0.113.9', false, '192.0.2.1', proxies), '203.0.113.9', 'an untrusted peer: its X-Forwarded-For is ignored');
  assert.equal(sourceAddress('10.0.0.2', true, undefined, proxies), '10.0.0.2');
  assert.equal(sourceAddress('10.0.0.2', true, '192.0.2.1', proxies), '192.0.2.1');
  assert.equal(sourceAddress('10.0.0.2', true, '1.2.3.4, 192.0.2.1, 10.0.0.7', proxies), '192.0.2.1', 'trusted hops skipped; the forged left part never read');
  assert.equal(sourceAddress('10.0.0.2', true, ['1.2.3.4', '192.0.2.1'], proxies), '192.0.2.1', 'repeated headers read as one list');
  assert.equal(sourceAddress('10.0.0.2', true, '10.0.0.5, 10.0.0.7', proxies), '10.0.0.5', 'all trusted: the leftmost');
  assert.equal(sourceAddress('10.0.0.2', true, 'garbage', proxies), 'garbage');
  const rules = { allow: cidrs('192.0.2.0/24', '2001:db8::/32'), deny: cidrs('192.0.2.66') };
  assert.equal(sourceAllowed(rules, '192.0.2.1'), true);
  assert.equal(sourceAllowed(rules, '::ffff:192.0.2.1'), true, 'IPv4-mapped IPv6');
  assert.equal(sourceAllowed(rules, '2001:db8::1'), true);
  assert.equal(sourceAllowed(rules, '192.0.2.66'), false, 'deny_from first');
  assert.equal(sourceAllowed(rules, '198.51.100.1'), false, 'not on allow_from');
  assert.equal(sourceAllowed(rules, 'garbage'), false, 'not an address: matches no range');
  assert.equal(sourceAllowed({ allow: undefined, deny: cidrs('127.0.0.0/8') }, '192.0.2.1'), true, 'deny only');
});

test('allow_from and deny_from in the gateway: 403 before auth and upstream; a route replaces the frontend list', async () => {
  const gw = await startInProcess({
    trusted_proxies: ['127.0.0.2'],
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        deny_from: ['127.0.0.3'],
        routes: [
          { path_prefix: '/admin', backend: 'app', allow_from: ['192.0.2.0/24'] },
          { path_prefix: '/internal', backend: 'app', allow_from: ['127.0.0.0/8'], deny_from: ['127.0.0.9'] },
        ],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  // loopback has every 127.x address: a client "from" 127.0.0.3 binds its end of the connection there
  const from = (localAddress: string, path: string, headers: Record<string, string> = {}) =>
    new Promise<readonly [number, string]>((resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port: gw.port, path, headers, localAddress, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve([res.statusCode ?? 0, body] as const));
      });
      req.on('error', reject);
    });
  try {
    const before = app.requests;
    const [status, body] = await from('127.0.0.1', '/admin/users');
    assert.equal(status, 403);
    assert.equal(body, 'Forbidden: requests from this address are not allowed here\n');
    assert.equal(app.requests, before, 'the upstream never saw it');
    assert.ok(gw.logs.some((l) => l.status === 403 && l.error === 'source denied' && l.route === 'routes[0]'));
    // a client-written X-Forwarded-For from an untrusted peer changes nothing
    assert.equal((await from('127.0.0.1', '/admin/users', { 'x-forwarded-for': '192.0.2.10' }))[0], 403);
    // behind the trusted proxy 127.0.0.2, the address it saw counts
    assert.equal((await rawRequest(gw.port, 'GET /admin/users HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 192.0.2.10\r\nConnection: close\r\n\r\n')).status, 403, 'raw sockets come from 127.0.0.1: untrusted');
    assert.equal((await from('127.0.0.2', '/admin/users', { 'x-forwarded-for': '198.51.100.1, 192.0.2.10' }))[0], 200, 'the proxy saw 192.0.2.10');
    assert.equal((await from('127.0.0.2', '/admin/users', { 'x-forwarded-for': '192.0.2.10, 198.51.100.1' }))[0], 403, 'the proxy saw 198.51.100.1; the left entry is the client’s own claim');
    // a WebSocket upgrade is judged the same way
    const upgrade = await rawRequest(gw.port, 'GET /admin/ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    assert.equal(upgrade.status, 403, upgrade.text);
    assert.equal(upgrade.closed, true);
    // the route's deny_from replaces the frontend's: 127.0.0.3 may use /internal, not the default backend
    assert.equal((await from('127.0.0.3', '/internal/x'))[0], 200);
    assert.equal((await from('127.0.0.3', '/other'))[0], 403);
    assert.equal((await from('127.0.0.9', '/internal/x'))[0], 403);
    assert.equal((await from('127.0.0.1', '/other'))[0], 200);
  } finally {
    await gw.close();
  }
});

test('config: every entry must be an address or a range, and a list may not be empty', () => {
  const message = configProblems({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'a', allow_from: [], routes: [{ backend: 'a', deny_from: ['10.0.0.0/33', 'nope'] }] } },
    backends: { a: { servers: { s: { address: '127.0.0.1:9' } } } },
  });
  assert.match(message, /frontends\.web\.allow_from: expected at least one address or range/);
  assert.match(message, /frontends\.web\.routes\[0\]\.deny_from\[0\]: expected an IP address or CIDR range/);
  assert.match(message, /frontends\.web\.routes\[0\]\.deny_from\[1\]: expected an IP address or CIDR range/);
});
