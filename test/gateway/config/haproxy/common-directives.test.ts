/**
 * What HAProxy users commonly write, translated to the gateway config: ACLs (named, anonymous, OR-ed,
 * AND-ed) → routes in HAProxy's order, http-request deny/return/redirect → answering routes, header
 * rules, balance, server options, checks, retries, timeouts, nbthread, listen. The result must pass the
 * gateway's own schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { parseGatewayConfig } from '../../../../src/gateway/config/index.js';
import { COMMON_CFG } from './common-cfg.js';


test('a realistic haproxy.cfg translates directive by directive and passes the schema', () => {
  const t = translateHaproxy(COMMON_CFG, 'common.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  const c = t.config as Record<string, any>;
  assert.equal(c.workers, 2);
  assert.equal(c.access_log, true);
  assert.deepEqual(c.timeouts, { connect: 5000, client: 30000, server: 30000 });
  assert.deepEqual(c.frontends.www.bind, '0.0.0.0:8080');
  assert.deepEqual(c.frontends.www.routes, [
    { path_prefix: '/admin', return: { status: 403, content_type: 'text/plain', body: 'no admin', headers: {} } },
    { path_prefix: '/old', redirect: { location: 'https://example.com/new', code: 301 } },
    { path_prefix: '/ping', return: { status: 200, content_type: 'application/json', body: '{"ok":true}', headers: {} } },
    { path_prefix: '/api', methods: ['GET', 'HEAD'], backend: 'api' },
    { path_prefix: '/v2', methods: ['GET', 'HEAD'], backend: 'api' },
    { host: ['shop.example.com'], backend: 'api' },
    { host: ['*.cdn.example.com'], backend: 'static' },
  ]);
  assert.equal(c.frontends.www.default_backend, 'web');
  assert.deepEqual(c.frontends.www.request_headers, { set: { 'X-Via': 'gatehouse' }, remove: ['X-Debug'] });
  assert.deepEqual(c.frontends.www.response_headers, { set: { 'X-Frame-Options': 'DENY' }, remove: [] });
  assert.deepEqual(c.backends.api, {
    balance: 'leastconn',
    check: { method: 'GET', path: '/health', expect_status: '200', interval: 3000, timeout: 3000, rise: 3, fall: 2 },
    servers: { a1: { address: '10.0.0.1:8080', weight: 10 }, a2: { address: '10.0.0.2:8080', backup: true } },
  });
  assert.deepEqual(c.backends.static, { balance: 'hdr(Host)', slowstart: 30000, servers: { s1: { address: '10.0.0.3:80', state: 'maint' }, s2: { address: '10.0.0.4:80' } } });
  assert.deepEqual(c.backends.web, { balance: 'source', retries: 2, retry_on: [503], timeouts: { server: 60000 }, servers: { w1: { address: '10.0.0.5:80' } } });
  // listen = a frontend using its own servers; a TCP-style check becomes an HTTP check accepting any answer
  assert.deepEqual(c.frontends.legacy, { bind: '127.0.0.1:9000', default_backend: 'legacy' });
  assert.deepEqual(c.backends.legacy.check, { expect_status: '100-599', interval: 2000, timeout: 2000, rise: 2, fall: 3 });
  const config = parseGatewayConfig(t.config, '/tmp', 'common.cfg');
  assert.equal(config.frontends.www?.routes.length, 7);
});

test('negated, unless, src and path_end conditions become routes with match (HAProxy semantics); an unknown fetch is refused naming the line', () => {
  const cfg = `defaults\n  mode http\nfrontend f\n  bind :80\n  acl a path_beg /x\n  use_backend b if !a\n  use_backend b unless a\n  use_backend b if { src 10.0.0.0/8 }\n  use_backend b if { path_end .php }\n  use_backend b if { url_param(x) y }\n  default_backend b\nbackend b\n  server s 1.2.3.4:80\n`;
  const t = translateHaproxy(cfg, 'r.cfg', { env: {} });
  assert.equal(t.errors.length, 1);
  assert.match(t.errors[0] as string, /^r\.cfg:10: "use_backend b if \{ url_param\(x\) y \}": url_param\(x\): not supported in a condition .*nearest gatehouse.yaml: routes\[\]/);
  assert.deepEqual((t.config.frontends as any).f.routes, [
    { match: [{ not: { path: { begins: ['/x'] } } }], backend: 'b' },
    { match: [{ not: { path: { begins: ['/x'] } } }], backend: 'b' },
    { match: [{ source: ['10.0.0.0/8'] }], backend: 'b' },
    { match: [{ path: { ends: ['.php'] } }], backend: 'b' },
  ]);
});

test('servers of one backend with different check settings are refused (Gatehouse checks a backend alike)', () => {
  const cfg = `defaults\n  mode http\nbackend b\n  server s1 1.2.3.4:80 check inter 1s\n  server s2 1.2.3.5:80 check inter 5s\n  server s3 1.2.3.6:80\n`;
  const errors = translateHaproxy(cfg, 'c.cfg', { env: {} }).errors.join('\n');
  assert.match(errors, /c\.cfg:4: .*health checks on some servers of a backend only/);
  assert.match(errors, /c\.cfg:5: .*different inter\/rise\/fall/);
});

test('option httpchk + http-check send meth/uri/hdr host (the new syntax) → check method, path and host', () => {
  const cfg = `defaults\n  mode http\nbackend b\n  option httpchk\n  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host app.internal\n  http-check expect status 200-299\n  server s1 1.2.3.4:80 check inter 5s\n`;
  const t = translateHaproxy(cfg, 'n.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual((t.config.backends as any).b.check, { method: 'GET', path: '/healthz', host: 'app.internal', expect_status: '200-299', interval: 5000, timeout: 5000, rise: 2, fall: 3 });
  const bad = translateHaproxy(cfg.replace('hdr Host app.internal', 'body x'), 'n.cfg', { env: {} });
  assert.match(bad.errors.join('\n'), /n\.cfg:5: .*http-check send body; nearest gatehouse\.yaml: check: \{ method, path, host \}/);
});

test('mode http may be in the section itself; a proxy left in mode tcp is an error naming its line', () => {
  const own = translateHaproxy('frontend f\n  mode http\n  bind :80\n  timeout client 20s\n  default_backend b\nbackend b\n  mode http\n  server s 1.2.3.4:80\n', 'm.cfg', { env: {} });
  assert.deepEqual(own.errors, []);
  assert.deepEqual(own.config.timeouts, { client: 20_000 });
  const tcp = translateHaproxy('frontend f\n  bind :80\n  default_backend b\nbackend b\n  mode http\n  server s 1.2.3.4:80\n', 'm.cfg', { env: {} });
  assert.match(tcp.errors.join('\n'), /^m\.cfg:1: .*mode tcp/);
});

test("frontends' client timeouts are gateway-wide: two frontends must agree", () => {
  const cfg = 'defaults\n  mode http\nfrontend a\n  bind :80\n  timeout client 20s\n  default_backend b\nfrontend c\n  bind :81\n  timeout client 30s\n  default_backend b\nbackend b\n  server s 1.2.3.4:80\n';
  assert.match(translateHaproxy(cfg, 't.cfg', { env: {} }).errors.join('\n'), /t\.cfg:9: .*frontends with different client timeouts; nearest gatehouse\.yaml: timeouts\.client/);
  assert.deepEqual(translateHaproxy(cfg.replace('30s', '20s'), 't.cfg', { env: {} }).errors, []);
});

test("a backend's replace-path ^/prefix(/.*) \\1 → rewrite_prefix on the routes to it; a default_backend cannot carry it", () => {
  const cfg = 'defaults\n  mode http\nfrontend f\n  bind :80\n  use_backend api if { path_beg /api/v1 /api }\n  default_backend web\nbackend api\n  http-request replace-path ^/api(/.*) \\1\n  server a 10.0.0.1:80\nbackend web\n  server w 10.0.0.2:80\n';
  const t = translateHaproxy(cfg, 'p.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual((t.config.frontends as any).f.routes, [
    { path_prefix: '/api/v1', backend: 'api', rewrite_prefix: '/v1' },
    { path_prefix: '/api', backend: 'api', rewrite_prefix: '/' },
  ]);
  assert.match(t.warnings.join('\n'), /p\.cfg:8: the path \/api itself .* is sent as \//);
  parseGatewayConfig(t.config, '/tmp', 'p.cfg');
  const onDefault = translateHaproxy(cfg.replace('default_backend web', 'default_backend api'), 'p.cfg', { env: {} });
  assert.match(onDefault.errors.join('\n'), /p\.cfg:8: .*the default_backend of f; nearest gatehouse\.yaml: routes\[\]\.rewrite_prefix/);
  const other = translateHaproxy(cfg.replace('^/api(/.*) \\1', '^/api/(.*) /v2/\\1'), 'p.cfg', { env: {} });
  assert.match(other.errors.join('\n'), /p\.cfg:8: .*only replace-path \^\/prefix\(\/\.\*\) \\1 translates/);
});

test('global noreuseport becomes reuse_port: false; without it each worker keeps its own socket', () => {
  const cfg = (global: string) => `global\n  nbthread 2\n${global}defaults\n  mode http\nfrontend www\n  bind 127.0.0.1:8080\n  default_backend app\nbackend app\n  server a 127.0.0.1:9000\n`;
  const without = translateHaproxy(cfg(''), 'a.cfg', { env: {} });
  assert.deepEqual(without.errors, []);
  assert.equal(parseGatewayConfig(without.config, process.cwd()).reuse_port, true);
  const withIt = translateHaproxy(cfg('  noreuseport\n'), 'b.cfg', { env: {} });
  assert.deepEqual(withIt.errors, []);
  assert.equal((withIt.config as Record<string, unknown>).reuse_port, false);
  assert.equal(parseGatewayConfig(withIt.config, process.cwd()).reuse_port, false);
});
