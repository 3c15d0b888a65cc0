/**
 * The per-generation screen of client headers (src/gateway/forward/client-headers.ts): what the gateway
 * sets from authorization — every policy's claim headers (from the config and from the built policy) and
 * every frontend's client-certificate subject header — is reserved on every route, by normalised name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientHeaderScreen, normaliseHeaderName, requestHeaderRules, DroppedHeaders, SKIP_CLAIM, SKIP_HOP, SKIP_RULE } from '../../../src/gateway/forward/client-headers.js';
import type { AuthPolicy } from '../../../src/gateway/auth/index.js';
import type { GatewayConfig } from '../../../src/gateway/config/index.js';

test('names normalise as CGI stacks read them: lower case, "_" as "-"', () => {
  assert.equal(normaliseHeaderName('X_User_Id'), 'x-user-id');
  assert.equal(normaliseHeaderName('X-USER-ID'), 'x-user-id');
  assert.equal(normaliseHeaderName('x-user_id'), 'x-user-id');
});

test('claim headers of every policy and the subject header of every frontend are reserved; a route adds its rule names', () => {
  const config = {
    auth: { a: { forward: { headers: { 'X-User-Id': 'sub' } } }, b: { forward: { headers: { X_Tenant: 'tenant' } } } },
    frontends: { tls: { tls: { client_certificates: { subject_header: 'X-Client-Subject' } } }, plain: {} },
    limits: { underscores_in_headers: false },
  } as unknown as GatewayConfig;
  const custom = { name: 'custom', forwardedHeaders: ['x-groups'], authorize: () => { throw new Error('unused'); }, close: () => undefined } as AuthPolicy;
  const screen = clientHeaderScreen(config, new Map([['custom', custom]]));
  for (const name of ['x-user-id', 'x-tenant', 'x-client-subject', 'x-groups']) assert.equal(screen.base.get(name), SKIP_CLAIM, name);
  assert.equal(screen.base.get('x-forwarded-for'), SKIP_HOP);
  assert.equal(screen.base.get('x-other'), undefined);
  const dropped = new DroppedHeaders('plain', undefined, undefined);
  const none = requestHeaderRules(undefined, screen, dropped);
  assert.equal(none.skip, screen.base, 'a route without rules shares the generation\'s lookup');
  const ruled = requestHeaderRules({ drop: ['x_debug'], set: [] }, screen, dropped);
  assert.equal(ruled.skip.get('x-debug'), SKIP_RULE);
  assert.equal(ruled.skip.get('x-user-id'), SKIP_CLAIM);
  assert.equal(screen.base.get('x-debug'), undefined, 'the shared lookup is not changed by a route');
});
