/**
 * Conditions a route's plain keys cannot hold (`!`, `unless`, `src`, `path`, `path_end`, `path_reg`,
 * `hdr_beg`, other headers, `||` with them) become `routes[].match`; conditional and repeated
 * `http-request set-header|add-header|del-header` become the ordered `request_header_rules`; a backend's
 * `http-request` header rules and deny/return/redirect apply to the requests routed to it. Each result
 * passes the gateway's schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { translateValid } from './translate-valid.js';

const wrap = (frontend: string, backends = 'backend b\n  server s 10.0.0.1:80\nbackend c\n  server s 10.0.0.2:80\n') =>
  `defaults\n  mode http\nfrontend f\n  bind 127.0.0.1:8080\n${frontend}  default_backend b\n${backends}`;

const translate = (cfg: string) => translateValid(cfg, 't.cfg');

test('use_backend and deny with !, unless, src, path, path_end, path_reg, hdr_beg, hdr(), method, || and implicit AND', () => {
  const c = translate(wrap(`  acl internal src 10.0.0.0/8 192.168.0.0/16
  acl api_host hdr_beg(host) -i api.
  acl php path_end .php
  acl versioned path_reg ^/v[0-9]+/
  acl write method POST PUT DELETE
  http-request deny deny_status 403 content-type text/plain string "internal only" if { path_beg /admin } !internal
  http-request return status 404 content-type text/plain string gone if php || { path /wp-login }
  use_backend c if versioned write
  use_backend c if api_host || { hdr(x-canary) -m found }
  use_backend c unless internal
`));
  assert.deepEqual(c.frontends.f.routes, [
    { match: [{ path: { begins: ['/admin'] } }, { not: { source: ['10.0.0.0/8', '192.168.0.0/16'] } }], return: { status: 403, content_type: 'text/plain', body: 'internal only', headers: {} } },
    { match: [{ any: [{ path: { ends: ['.php'] } }, { path: { equals: ['/wp-login'] } }] }], return: { status: 404, content_type: 'text/plain', body: 'gone', headers: {} } },
    { match: [{ path: { regex: ['^/v[0-9]+/'] } }, { method: ['POST', 'PUT', 'DELETE'] }], backend: 'c' },
    { match: [{ any: [{ header: { name: 'host', begins: ['api.'], ignore_case: true } }, { header: { name: 'x-canary', present: true } }] }], backend: 'c' },
    { match: [{ not: { source: ['10.0.0.0/8', '192.168.0.0/16'] } }], backend: 'c' },
  ]);
});

test('positive path_beg, hdr(host) and method conditions keep the plain route keys', () => {
  const c = translate(wrap('  use_backend c if { path_beg /api } { method GET }\n'));
  assert.deepEqual(c.frontends.f.routes, [{ path_prefix: '/api', methods: ['GET'], backend: 'c' }]);
});

test('conditional, added and repeated request header rules become ordered request_header_rules; plain ones stay request_headers', () => {
  const plain = translate(wrap('  http-request set-header X-A 1\n  http-request add-header X-B 2\n  http-request del-header X-C\n'));
  assert.deepEqual(plain.frontends.f.request_headers, { set: { 'X-A': '1' }, add: { 'X-B': '2' }, remove: ['X-C'] });
  assert.equal(plain.frontends.f.request_header_rules, undefined);
  const ordered = translate(wrap(`  http-request set-header X-Env dev
  http-request set-header X-Env prod if { hdr_end(host) .prod.example.com }
  http-request add-header X-Write 1 unless { method GET HEAD }
  http-request del-header X-Debug if !{ src 10.0.0.0/8 }
`));
  assert.equal(ordered.frontends.f.request_headers, undefined);
  assert.deepEqual(ordered.frontends.f.request_header_rules, [
    { set: { 'X-Env': 'dev' } },
    { match: [{ header: { name: 'host', ends: ['.prod.example.com'] } }], set: { 'X-Env': 'prod' } },
    { match: [{ not: { method: ['GET', 'HEAD'] } }], add: { 'X-Write': '1' } },
    { match: [{ not: { source: ['10.0.0.0/8'] } }], remove: ['X-Debug'] },
  ]);
});

test("a condition reading a header an earlier rule edits is refused: HAProxy's conditions see the edit, Gatehouse's do not", () => {
  const t = translateHaproxy(wrap('  http-request set-header X-Env prod\n  use_backend c if { hdr(x-env) prod }\n  http-request deny if { hdr(x-env) prod }\n'), 'e.cfg', { env: {} });
  assert.equal(t.errors.length, 2, t.errors.join('\n'));
  assert.match(t.errors[0] as string, /^e\.cfg:6: "use_backend c if \{ hdr\(x-env\) prod \}": this condition reads x-env, which line 5 edits/);
  assert.match(t.errors[1] as string, /^e\.cfg:7: .*reads x-env/);
});

test("a backend condition reading a header its frontend edits is refused (HAProxy's backend rules see the frontend's edits)", () => {
  const cfg = wrap('  http-request set-header X-Env prod\n', 'backend b\n  http-request deny if { hdr(x-env) prod }\n  server s 10.0.0.1:80\nbackend c\n  http-request deny if { hdr(x-env) prod }\n  server s 10.0.0.2:80\n');
  const errors = translateHaproxy(cfg, 'x.cfg', { env: {} }).errors;
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0] as string, /^x\.cfg:8: .*reads x-env, which frontend f edits \(line 5\)/);
});

test("a backend's http-request header rules and answers apply to the requests routed to it", () => {
  const c = translate(wrap('  use_backend c if { path_beg /api }\n', `backend b
  server s 10.0.0.1:80
backend c
  acl ro method GET HEAD
  http-request set-header X-Backend c
  http-request add-header X-Trace on if { hdr(x-debug) -m found }
  http-request deny deny_status 405 content-type text/plain string "read only" unless ro
  server s 10.0.0.2:80
`));
  assert.deepEqual(c.backends.c.request_header_rules, [
    { set: { 'X-Backend': 'c' } },
    { match: [{ header: { name: 'x-debug', present: true } }], add: { 'X-Trace': 'on' } },
  ]);
  assert.deepEqual(c.frontends.f.routes, [
    { path_prefix: '/api', match: [{ not: { method: ['GET', 'HEAD'] } }], return: { status: 405, content_type: 'text/plain', body: 'read only', headers: {} } },
    { path_prefix: '/api', backend: 'c' },
  ]);
  // on the default backend: after every route, for what no route took
  const d = translate(`defaults\n  mode http\nfrontend f\n  bind 127.0.0.1:8080\n  use_backend b if { path_beg /b }\n  default_backend c\nbackend b\n  server s 10.0.0.1:80\nbackend c\n  http-request redirect location /maintenance if { path_beg /shop }\n  server s 10.0.0.2:80\n`);
  assert.deepEqual(d.frontends.f.routes, [
    { path_prefix: '/b', backend: 'b' },
    { match: [{ path: { begins: ['/shop'] } }], redirect: { location: '/maintenance', code: 302 } },
  ]);
});

test('add-header on responses; header values with log-format variables stay errors', () => {
  const c = translate(wrap('  http-response add-header X-Served-By gatehouse\n'));
  assert.deepEqual(c.frontends.f.response_headers, { set: {}, add: { 'X-Served-By': 'gatehouse' }, remove: [] });
  const t = translateHaproxy(wrap('  http-request add-header X-Client %[src]\n'), 'l.cfg', { env: {} });
  assert.match(t.errors.join('\n'), /l\.cfg:5: .*with a log-format value.*nearest gatehouse\.yaml: request_header_rules/);
});
