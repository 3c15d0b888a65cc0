/**
 * Client Credentials for a service client, through openid-client: the machine client gets a token for the
 * orders service (aud = the service, sub = the client, gty client_credentials, FusionAuth's permissions
 * claim); the gateway lets it through a route that requires the `read` scope on the service and refuses
 * it where `write` or a user role is required. Also: no grant, a permission not granted, a wrong secret,
 * and a client without the grant enabled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { startInProcess } from '../../gateway/support/in-process.js';
import { startUpstream } from '../../gateway/support/upstream.js';
import { decodeJwt } from '../support.js';
import { basic, postForm, startOAuthFixture } from './support.js';

test('client_credentials: openid-client gets a service token that passes the gateway where its scope is required', async () => {
  const fx = await startOAuthFixture();
  const upstream = await startUpstream('orders');
  let gateway: Awaited<ReturnType<typeof startInProcess>> | undefined;
  try {
    const config = await client.discovery(new URL(fx.idp.url), fx.machine.id, fx.machine.secret, undefined, { execute: [client.allowInsecureRequests] });
    const read = `target-entity:${fx.service.id}:read`;
    const tokens = await client.clientCredentialsGrant(config, { scope: read });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, read);
    const { header, payload } = decodeJwt(tokens.access_token);
    assert.deepEqual(header.gty, ['client_credentials']);
    assert.equal(header.alg, 'RS256');
    assert.equal(payload.aud, fx.service.id);
    assert.equal(payload.sub, fx.machine.id);
    assert.deepEqual(payload.permissions, { [fx.service.id]: ['read'] });
    assert.equal(payload.tid, fx.tenantId);
    assert.equal(payload.iss, fx.idp.url);

    // The whole target (no permission list) grants every granted permission.
    const all = await client.clientCredentialsGrant(config, { scope: `target-entity:${fx.service.id}` });
    assert.equal(all.scope, read);

    gateway = await startInProcess({
      auth: { idp: { issuer: fx.idp.url, audience: [fx.web.id, fx.service.id], keys: { jwks: `${fx.idp.url}/.well-known/jwks.json` } } },
      frontends: {
        web: {
          bind: '127.0.0.1:0',
          auth: 'idp',
          routes: [
            { path_prefix: '/orders', methods: ['GET'], backend: 'orders', auth: { policy: 'idp', scopes: [read] } },
            { path_prefix: '/orders', backend: 'orders', auth: { policy: 'idp', scopes: [`target-entity:${fx.service.id}:write`] } },
            { path_prefix: '/account', backend: 'orders', auth: { policy: 'idp', roles: ['viewer'] } },
          ],
        },
      },
      backends: { orders: { servers: { s1: { address: upstream.address } } } },
    });
    const call = (method: string, path: string) => fetch(`${gateway!.url}${path}`, { method, headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal((await call('GET', '/orders/7')).status, 200);
    assert.equal(upstream.requests, 1);
    const write = await call('POST', '/orders');
    assert.equal(write.status, 403);
    assert.match(write.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    assert.equal((await call('GET', '/account')).status, 403, 'a service token has no user roles');
    assert.equal(upstream.requests, 1);

    // Refusals.
    const token = `${fx.idp.url}/oauth2/token`;
    const auth = { authorization: basic(fx.machine.id, fx.machine.secret) };
    const notGranted = await postForm(token, { grant_type: 'client_credentials', scope: `target-entity:${fx.service.id}:write` }, auth);
    assert.equal(notGranted.status, 400);
    assert.deepEqual([notGranted.body.error, notGranted.body.error_reason], ['invalid_scope', 'invalid_entity_permission_scope']);
    const noTarget = await postForm(token, { grant_type: 'client_credentials', scope: `target-entity:${fx.web.id}` }, auth);
    assert.deepEqual([noTarget.status, noTarget.body.error_reason], [400, 'invalid_target_entity_scope']);
    const noScope = await postForm(token, { grant_type: 'client_credentials' }, auth);
    assert.equal(noScope.body.error, 'invalid_scope');
    const wrongSecret = await postForm(token, { grant_type: 'client_credentials', scope: read }, { authorization: basic(fx.machine.id, 'wrong') });
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.error, 'invalid_client');
    assert.match(wrongSecret.headers.get('www-authenticate') ?? '', /^Basic/);
    const noSecret = await postForm(token, { grant_type: 'client_credentials', scope: read, client_id: fx.machine.id });
    assert.equal(noSecret.status, 401);
    assert.equal(noSecret.headers.get('www-authenticate'), null, 'no Basic challenge when Basic was not used');
    const disabled = await postForm(token, { grant_type: 'client_credentials', scope: read }, { authorization: basic(fx.web.id, fx.web.secret) });
    assert.deepEqual([disabled.status, disabled.body.error, disabled.body.error_reason], [400, 'unauthorized_client', 'grant_type_disabled']);
  } finally {
    await gateway?.close();
    await upstream.close();
    await fx.close();
  }
});
