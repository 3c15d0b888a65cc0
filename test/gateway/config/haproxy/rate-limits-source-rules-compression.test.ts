/**
 * Frontend directives with a direct gatehouse.yaml key: the stick-table rate limit pattern → rate_limits,
 * deny by src → deny_from/allow_from, redirect scheme https → redirect_https, compression, hash-type
 * consistent, errorfile → error_pages; and the nearest key named for what is not translated yet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { parseGatewayConfig } from '../../../../src/gateway/config/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../support/gateway-process.js';

const frontend = (body: string) => `defaults\n  mode http\nfrontend f\n  bind 127.0.0.1:8080\n${body}  default_backend b\nbackend b\n  balance source\n  hash-type consistent\n  server s 10.0.0.1:80\n`;

test('stick-table + track-sc0 src + deny_status 429 if { sc_http_req_rate(0) gt N } → a rate limit of N per period', () => {
  const t = translateHaproxy(frontend(`  stick-table type ip size 100k expire 30s store http_req_rate(10s)\n  http-request track-sc0 src\n  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }\n`), 'r.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual(t.config.rate_limits, { 'f-rate': { requests: 100, period: 10_000, key: 'source' } });
  assert.equal((t.config.frontends as any).f.rate_limit, 'f-rate');
  const config = parseGatewayConfig(t.config, '/tmp', 'r.cfg');
  assert.equal(config.rate_limits['f-rate']?.requests, 100);
});

test('a header key and ge N (N - 1 admitted, as HAProxy counts the current request) translate too', () => {
  const t = translateHaproxy(frontend(`  stick-table type string len 64 size 1m store http_req_rate(1m)\n  http-request track-sc0 req.hdr(X-Api-Key)\n  http-request deny deny_status 429 if { sc0_http_req_rate ge 50 }\n`), 'r.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual(t.config.rate_limits, { 'f-rate': { requests: 49, period: 60_000, key: 'header(X-Api-Key)' } });
});

test('a rate limit missing its track-sc0, or tracking something else, is refused naming the line', () => {
  const missing = translateHaproxy(frontend(`  stick-table type ip size 100k store http_req_rate(10s)\n  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }\n`), 'r.cfg', { env: {} });
  assert.match(missing.errors.join('\n'), /r\.cfg:5: .*needs the stick-table, the track-sc0 and the deny_status 429 rule together/);
  const other = translateHaproxy(frontend(`  stick-table type ip size 100k store http_req_rate(10s),conn_cur\n  http-request track-sc1 src\n`), 'r.cfg', { env: {} });
  assert.match(other.errors.join('\n'), /r\.cfg:5: .*http_req_rate\(<period>\) alone[\s\S]*r\.cfg:6: .*only an unconditional "track-sc0 src"/);
});

test('deny if { src } → deny_from; deny unless { src } → allow_from', () => {
  const t = translateHaproxy(frontend(`  http-request deny if { src 203.0.113.0/24 198.51.100.7 }\n  http-request deny unless { src 10.0.0.0/8 }\n`), 's.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  const f = (t.config.frontends as any).f;
  assert.deepEqual([f.deny_from, f.allow_from], [['203.0.113.0/24', '198.51.100.7'], ['10.0.0.0/8']]);
  parseGatewayConfig(t.config, '/tmp', 's.cfg');
});

test('redirect scheme https if !{ ssl_fc } → redirect_https, with a warning that the status is 308', () => {
  const t = translateHaproxy(`defaults\n  mode http\nfrontend plain\n  bind 127.0.0.1:8080\n  redirect scheme https code 301 if !{ ssl_fc }\n`, 'h.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual(t.config.frontends, { plain: { bind: '127.0.0.1:8080', redirect_https: true } });
  assert.match(t.warnings.join('\n'), /h\.cfg:5: redirect_https answers 308 .* not 301/);
  parseGatewayConfig(t.config, '/tmp', 'h.cfg');
});

test('compression algo/type/offload → compression', () => {
  const t = translateHaproxy(frontend(`  compression algo gzip deflate\n  compression type text/html application/json\n  compression offload\n`), 'c.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual((t.config.frontends as any).f.compression, { algorithms: ['gzip', 'deflate'], types: ['text/html', 'application/json'], offload: true });
  parseGatewayConfig(t.config, '/tmp', 'c.cfg');
  assert.match(translateHaproxy(frontend('  compression algo identity\n'), 'c.cfg', { env: {} }).errors.join('\n'), /c\.cfg:5: .*nearest gatehouse\.yaml: compression/);
});

test('stats realm names its nearest key; an unreadable errorfile is an error naming the line', () => {
  const errors = translateHaproxy(frontend('  stats realm Private\n  errorfile 503 /nonexistent/503.http\n'), 'n.cfg', { env: {} }).errors;
  assert.match(errors[0] as string, /n\.cfg:5: "stats realm Private": .*nearest gatehouse\.yaml: admin: \{ bind \}/);
  assert.match(errors[1] as string, /n\.cfg:6: .*cannot read \/nonexistent\/503\.http: ENOENT/);
});

test("errorfile: HAProxy's raw HTTP response file becomes error_pages.<code> (body and content type; other headers warned)", () => {
  const dir = tempDir();
  writeFileSync(join(dir, '503.http'), 'HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\nX-Extra: 1\r\n\r\n<html><body><h1>Down</h1></body></html>\n');
  const t = translateHaproxy(frontend('  errorfile 503 503.http\n'), join(dir, 'e.cfg'), { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual((t.config.frontends as any).f.error_pages, { 503: { body: '<html><body><h1>Down</h1></body></html>\n', content_type: 'text/html' } });
  assert.match(t.warnings.join('\n'), /e\.cfg:5: the headers x-extra of 503\.http are not sent/);
  parseGatewayConfig(t.config, dir, 'e.cfg');
});

test("HAProxy's quickstart stats frontend (bind, stats enable/uri/refresh) becomes the admin listener", () => {
  const cfg = `defaults\n  mode http\nfrontend stats\n  bind *:8404\n  stats enable\n  stats uri /\n  stats refresh 10s\nfrontend f\n  bind 127.0.0.1:8080\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n`;
  const t = translateHaproxy(cfg, 'q.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual(t.config.admin, { bind: '0.0.0.0:8404' });
  assert.deepEqual(Object.keys(t.config.frontends as object), ['f']);
  assert.match(t.warnings.join('\n'), /q\.cfg:3: frontend stats only serves the stats page: it becomes the admin listener/);
  assert.match(t.warnings.join('\n'), /q\.cfg:7: the stats page refreshes every 5 s/);
  parseGatewayConfig(t.config, '/tmp', 'q.cfg');
  // stats in a frontend that also proxies: a stats route on it (stats-in-a-proxying-frontend.test.ts)
  const proxying = translateHaproxy(cfg.replace('  stats refresh 10s\n', '  stats refresh 10s\n  default_backend b\n'), 'q.cfg', { env: {} });
  assert.deepEqual([proxying.errors, (proxying.config.frontends as any).stats.routes], [[], [{ match: [{ path: { begins: ['/'] } }], stats: true }]]);
});

test('unique-id-format %[uuid()] + unique-id-header → request_id (always a fresh ID, as HAProxy)', () => {
  const t = translateHaproxy(frontend('  unique-id-format %[uuid()]\n  unique-id-header X-Request-Id\n'), 'u.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual((t.config.frontends as any).f.request_id, { header: 'X-Request-Id', trust_client: false });
  parseGatewayConfig(t.config, '/tmp', 'u.cfg');
  const other = translateHaproxy(frontend('  unique-id-format %{+X}o\\ %ci:%cp\n  unique-id-header X-Request-Id\n'), 'u.cfg', { env: {} });
  assert.match(other.errors.join('\n'), /u\.cfg:5: .*only "unique-id-format %\[uuid\(\)\]".*request_id/);
});
