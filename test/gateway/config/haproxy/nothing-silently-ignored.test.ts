/**
 * Every statement is translated or reported: an unknown directive, fetch, converter or option is an error
 * naming file:line, the text and the nearest gatehouse.yaml equivalent (or "not supported"); --lenient
 * (GATEHOUSE_HAPROXY_LENIENT=1) makes them warnings and the rest of the file loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { loadGatewayConfig } from '../../../../src/gateway/config/index.js';
import { isGatehouseError } from '../../../../src/shared/errors.js';
import { tempDir } from '../../support/gateway-process.js';

const CFG = `global
  maxconn lots
defaults
  mode http
  timeout tarpit 10s
  option http-server-close
frontend f
  bind 127.0.0.1:0
  capture request header Host len 32
  http-request tarpit
  http-request set-header X-Id %[req.hdr(x-id),lower]
  http-after-response set-header X-A 1
  default_backend b
backend b
  server s 1.2.3.4:80 send-proxy agent-check
userlist admins
  user admin password x
`;

const EXPECTED: Array<[number, RegExp]> = [
  [2, /"maxconn lots": global maxconn; nearest gatehouse.yaml: frontends.<name>.max_connections \(per frontend/],
  [5, /"timeout tarpit 10s": timeout tarpit; nearest gatehouse.yaml: timeouts: connect, server/],
  [6, /"option http-server-close": "option" in defaults; not supported/],
  [9, /"capture request header Host len 32": "capture" in a frontend section; not supported/],
  [10, /"http-request tarpit": http-request tarpit; nearest gatehouse.yaml: routes\[\]\.return/],
  [11, /"http-request set-header X-Id %\[req.hdr\(x-id\),lower\]": http-request set-header with a log-format value .*; nearest gatehouse.yaml: request_header_rules/],
  [12, /"http-after-response set-header X-A 1": "http-after-response" in a frontend section; not supported/],
  [15, /server option "send-proxy"; not supported/],
  [15, /server option "agent-check"; not supported/],
  [16, /the userlist section is not supported/],
];

test('each untranslatable statement is an error naming file:line, its text and the nearest equivalent', () => {
  const t = translateHaproxy(CFG, 'x.cfg', { env: {} });
  assert.equal(t.errors.length, EXPECTED.length, t.errors.join('\n'));
  EXPECTED.forEach(([line, pattern], i) => {
    assert.ok((t.errors[i] as string).startsWith(`x.cfg:${line}: `), t.errors[i]);
    assert.match(t.errors[i] as string, pattern);
  });
});

test('--lenient turns them into warnings; mode tcp stays an error', () => {
  const t = translateHaproxy(CFG, 'x.cfg', { env: {}, lenient: true });
  assert.deepEqual(t.errors, []);
  assert.equal(t.warnings.filter((w) => w.endsWith('(ignored: --lenient)')).length, EXPECTED.length);
  const tcp = translateHaproxy(CFG.replace('mode http', 'mode tcp'), 'x.cfg', { env: {}, lenient: true });
  assert.match(tcp.errors.join('\n'), /x\.cfg:4: .*only mode http is supported/);
});

test('loading refuses the file with ERR_CONFIG_INVALID listing every problem; lenient loading succeeds', () => {
  const path = join(tempDir(), 'x.cfg');
  writeFileSync(path, CFG.replace('userlist admins\n  user admin password x\n', ''));
  assert.throws(() => loadGatewayConfig(path), (e) => isGatehouseError(e, 'ERR_CONFIG_INVALID') && /x\.cfg:2: .*x\.cfg:15: /s.test(e.message));
  process.env.GATEHOUSE_HAPROXY_LENIENT = '1';
  try {
    const config = loadGatewayConfig(path);
    assert.deepEqual(Object.keys(config.backends.b?.servers ?? {}), ['s']);
  } finally {
    delete process.env.GATEHOUSE_HAPROXY_LENIENT;
  }
});

test("a value the gateway's schema refuses is reported with its key path and the .cfg line it came from", () => {
  const path = join(tempDir(), 'bad.cfg');
  writeFileSync(path, 'defaults\n  mode http\nfrontend f\n  bind 127.0.0.1:99999\n  default_backend b\nbackend b\n  server s 1.2.3.4:80 weight 7\n');
  assert.throws(() => loadGatewayConfig(path), (e) => isGatehouseError(e, 'ERR_CONFIG_INVALID') && /frontends\.f\.bind: expected host:port.* \(from .*bad\.cfg:4: bind 127\.0\.0\.1:99999\)/.test(e.message));
});
