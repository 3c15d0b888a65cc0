/**
 * The real JWT policy inside the real gateway (in process, real sockets): claims reach the upstream as
 * headers, client-sent copies never do, Authorization is stripped when configured, route requirements
 * give 403 insufficient_scope, and a standards-mode denial carries its WWW-Authenticate header.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startInProcess } from '../../support/in-process.js';
import { startUpstream, type Echo } from '../../support/upstream.js';
import { AUDIENCE, ISSUER, rsaKey, token, validClaims } from '../support.js';

const upstream = await startUpstream('app');
after(() => upstream.close());

const nowS = Math.floor(Date.now() / 1000);
const live = (extra: Record<string, unknown> = {}) => token({ claims: validClaims({ exp: nowS + 3600, iat: nowS, ...extra }) });

test('claims to headers, client copies dropped, Authorization stripped, route scopes enforced', async () => {
  const gw = await startInProcess({
    auth: {
      api: {
        issuer: ISSUER,
        audience: AUDIENCE,
        realm: 'api',
        keys: { jwk: rsaKey().publicJwk },
        forward: { headers: { 'X-User': 'sub', 'X-Roles': 'roles' }, strip_authorization: true },
      },
    },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        auth: 'api',
        routes: [{ path_prefix: '/admin', backend: 'app', auth: { policy: 'api', scopes: ['admin'] } }],
      },
    },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  try {
    const allowed = await request(`${gw.url}/orders`, { headers: { authorization: `Bearer ${live({ roles: ['user', 'editor'] })}`, 'x-user': 'forged', 'X-Roles': 'admin' } });
    assert.equal(allowed.statusCode, 200);
    const echo = (await allowed.body.json()) as Echo;
    assert.equal(echo.headers['x-user'], 'user-1');
    assert.equal(echo.headers['x-roles'], 'user,editor');
    assert.equal(echo.headers.authorization, undefined, 'stripped');
    assert.equal(echo.rawHeaders.filter((h) => /^x-(user|roles)$/i.test(h)).length, 2, 'exactly one copy of each, ours');

    const noClaim = await request(`${gw.url}/orders`, { headers: { authorization: `Bearer ${live({ sub: undefined })}`, 'x-user': 'forged' } });
    assert.equal(((await noClaim.body.json()) as Echo).headers['x-user'], undefined, 'a client copy is dropped even when the claim is absent');

    const before = upstream.requests;
    const scoped = await request(`${gw.url}/admin/users`, { headers: { authorization: `Bearer ${live({ scope: 'read' })}` } });
    assert.equal(scoped.statusCode, 403);
    assert.equal(scoped.headers['www-authenticate'], 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required role or scope", scope="admin"');
    await scoped.body.text();
    assert.equal((await request(`${gw.url}/admin/users`, { headers: { authorization: `Bearer ${live({ scope: 'read admin' })}` } })).statusCode, 200);

    const expired = await request(`${gw.url}/orders`, { headers: { authorization: `Bearer ${live({ exp: nowS - 5 })}` } });
    assert.equal(expired.statusCode, 401);
    assert.match(String(expired.headers['www-authenticate']), /error="invalid_token"/);
    assert.equal(((await expired.body.json()) as { error: string }).error, 'invalid_token');
    assert.equal(upstream.requests, before + 1, 'denied requests never reach the upstream');
  } finally {
    await gw.close();
  }
});
