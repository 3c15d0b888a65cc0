/**
 * Header names with `_` are dropped by default, as nginx does (`underscores_in_headers off`): CGI, WSGI
 * and PHP stacks read `X_Role` and `X-Role` as the same variable, so a name with `_` can stand in for a
 * header the gateway or a header rule controls. The drop is logged at debug (name only) and counted.
 * `limits.underscores_in_headers: true` forwards them, except a name that reads as a header the gateway
 * owns (X-Forwarded-*, hop-by-hop, a header rule's name, a forwarded claim). Real gateway, real echo
 * upstream, raw sockets.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstream } from '../support/upstream.js';
import { cgiNames, portOf, sample, sendHeaders, startDebugGateway } from './support.js';

const upstream = await startUpstream('app');
after(() => upstream.close());

const SENT = [
  'X_Role: admin-by-underscore', 'x_custom_thing: secret-value', 'X-Custom-Thing: hyphen-value',
  'X_Forwarded_For: 10.0.0.1', 'X_Forwarded_Host: evil.example', 'Proxy_Authorization: Basic eA==',
  'X_Tenant: forged-tenant', 'Transfer_Encoding: chunked',
];

function config(underscores: boolean | undefined): Record<string, unknown> {
  return {
    ...(underscores === undefined ? {} : { limits: { underscores_in_headers: underscores } }),
    frontends: {
      web: { bind: '127.0.0.1:0', default_backend: 'app', request_headers: { set: { 'X-Tenant': 't1' }, remove: [] } },
    },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  };
}

test('by default a header name with "_" never reaches the upstream; it is logged at debug by name and counted', async () => {
  const gw = await startDebugGateway(config(undefined));
  try {
    const { status, echo } = await sendHeaders(portOf(gw, 'web'), '/x', SENT);
    assert.equal(status, 200);
    assert.ok(echo !== undefined);
    assert.deepEqual(echo.rawHeaders.filter((_, i) => i % 2 === 0).filter((n) => n.includes('_')), [], 'no name with "_"');
    assert.equal(echo.headers['x-custom-thing'], 'hyphen-value', 'the hyphen spelling passes');
    assert.equal(echo.headers['x-tenant'], 't1', 'the header rule\'s value, alone');
    assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1');
    const underscored = SENT.map((l) => l.slice(0, l.indexOf(':')).toLowerCase()).filter((n) => n.includes('_'));
    assert.equal(await sample(gw.gateway, 'gatehouse_request_headers_dropped_total', { frontend: 'web', reason: 'underscore' }), underscored.length);
    const logged = gw.logs.filter((l) => l.msg === 'client request header dropped' && l.reason === 'underscore').map((l) => l.header);
    assert.deepEqual(logged.sort(), underscored.sort());
    assert.doesNotMatch(gw.rawLog(), /admin-by-underscore|secret-value|evil\.example/, 'never a value');
  } finally {
    await gw.close();
  }
});

test('underscores_in_headers: true forwards "_" names, but never one that reads as a header the gateway owns', async () => {
  const gw = await startDebugGateway(config(true));
  try {
    const { status, echo } = await sendHeaders(portOf(gw, 'web'), '/x', SENT);
    assert.equal(status, 200);
    assert.ok(echo !== undefined);
    assert.equal(echo.headers.x_role, 'admin-by-underscore');
    assert.equal(echo.headers.x_custom_thing, 'secret-value');
    assert.equal(echo.headers['x-custom-thing'], 'hyphen-value');
    const names = cgiNames(echo);
    assert.deepEqual(names.filter((n) => n === 'X_FORWARDED_FOR'), ['X_FORWARDED_FOR'], 'one X-Forwarded-For, the gateway\'s');
    assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(echo.headers['x-forwarded-host'], 'gateway.test');
    assert.deepEqual(names.filter((n) => n === 'X_TENANT'), ['X_TENANT'], 'one X-Tenant, the header rule\'s');
    assert.equal(echo.headers['x-tenant'], 't1');
    assert.deepEqual(names.filter((n) => n.startsWith('PROXY_') || n === 'TRANSFER_ENCODING'), []);
    assert.equal(await sample(gw.gateway, 'gatehouse_request_headers_dropped_total', { frontend: 'web', reason: 'underscore' }), 0);
  } finally {
    await gw.close();
  }
});
