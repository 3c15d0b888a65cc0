/**
 * Issue 15 item 10: a backend trusts the headers an auth policy forwards (`X-User-Id`). A client's own
 * copy of such a header — in any case, or spelled with `_` as CGI/WSGI/PHP stacks read it — must never
 * reach an upstream: not on the policy's routes, not on `auth: false` routes of the same frontend, not on
 * another frontend without any auth. Only the gateway's own copy, set from a verified token, arrives.
 * Real gateway, real echo upstream, raw sockets (header names go out byte for byte).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstream } from '../support/upstream.js';
import { AUDIENCE, ISSUER, rsaKey, token, validClaims } from '../auth/support.js';
import { cgiNames, portOf, sample, sendHeaders, startDebugGateway } from './support.js';

const upstream = await startUpstream('app');
after(() => upstream.close());

const FORGED = [
  'X-User-Id: forged-1', 'x-user-id: forged-2', 'X-USER-ID: forged-3', 'X_User_Id: forged-4', 'x_user_id: forged-5', 'X-User_Id: forged-6',
  'X-Tenant: forged-7', 'x_tenant: forged-8',
];

function config(underscores: boolean): Record<string, unknown> {
  return {
    ...(underscores ? { limits: { underscores_in_headers: true } } : {}), // the default is false
    auth: {
      api: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, forward: { headers: { 'X-User-Id': 'sub' } } },
      // a policy no route uses still reserves its header: a backend behind any frontend may trust it
      unused: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, forward: { headers: { 'x-tenant': 'tenant' } } },
    },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        auth: 'api',
        routes: [{ path_prefix: '/public', backend: 'app', auth: false }],
      },
      open: { bind: '127.0.0.1:0', default_backend: 'app' },
    },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  };
}

for (const underscores of [false, true]) {
  test(`client copies of forwarded-claim headers never reach an upstream, on any route of any frontend (underscores_in_headers: ${underscores})`, async () => {
    const gw = await startDebugGateway(config(underscores));
    try {
      const nowS = Math.floor(Date.now() / 1000);
      const bearer = `Authorization: Bearer ${token({ claims: validClaims({ sub: 'user-42', exp: nowS + 3600, iat: nowS }) })}`;
      const cases: Array<[string, string, string[]]> = [
        ['web', '/public/page', []],
        ['open', '/anything', []],
        ['web', '/private', [bearer]],
      ];
      for (const [frontend, path, extra] of cases) {
        const { status, echo } = await sendHeaders(portOf(gw, frontend), path, [...extra, ...FORGED, 'X-Other: kept']);
        assert.equal(status, 200, `${frontend} ${path}`);
        assert.ok(echo !== undefined);
        const names = cgiNames(echo);
        const values = echo.rawHeaders.filter((_, i) => i % 2 === 1);
        assert.deepEqual(values.filter((v) => v.startsWith('forged')), [], `${frontend} ${path}: no forged value arrives (got ${names.join(' ')})`);
        assert.equal(echo.headers['x-other'], 'kept', 'other client headers pass');
        if (extra.length > 0) {
          assert.deepEqual(names.filter((n) => n === 'X_USER_ID'), ['X_USER_ID'], 'exactly one X-User-Id: the gateway\'s');
          assert.equal(echo.headers['x-user-id'], 'user-42');
        } else {
          assert.deepEqual(names.filter((n) => n === 'X_USER_ID' || n === 'X_TENANT'), [], `${frontend} ${path}: no X-User-Id / X-Tenant in any spelling`);
        }
      }
      // the drops are counted and logged by name, never by value
      // folded by name: x-user-id and x-tenant; with underscores allowed also x_user_id, x-user_id and x_tenant
      assert.equal(await sample(gw.gateway, 'gatehouse_request_headers_dropped_total', { frontend: 'open', reason: 'forwarded_claim' }), underscores ? 5 : 2);
      const lines = gw.logs.filter((l) => l.msg === 'client request header dropped');
      assert.ok(lines.some((l) => l.frontend === 'web' && l.header === 'x-user-id' && l.reason === 'forwarded_claim'), 'logged at debug with the header name');
      assert.doesNotMatch(gw.rawLog(), /forged-/, 'no value of a dropped header in the log');
    } finally {
      await gw.close();
    }
  });
}
