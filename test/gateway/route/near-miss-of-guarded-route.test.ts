/**
 * The router alone: a path that begins with a guarded route's prefix as a string but not at a segment
 * boundary (what HAProxy's `path_beg` sends to that route) never falls to a target with other admission
 * rules; segment-aware matching stays as documented for everything else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admissionGuard, Router } from '../../../src/gateway/route/index.js';

const JWT = 'auth jwt';
const table = new Router(
  [
    { path_prefix: '/private', guard: JWT, target: 'private' },
    { path_prefix: '/public', target: 'public' },
    { path_prefix: '/private-docs', target: 'docs' },
    { path_prefix: '/admin/', guard: 'auth jwt roles admin', target: 'admin' },
  ],
  'default',
);

test('segment-aware matching is unchanged for aligned paths', () => {
  assert.equal(table.match('', '/private', 'GET'), 'private');
  assert.equal(table.match('', '/private/x', 'GET'), 'private');
  assert.equal(table.match('', '/private;v=1', 'GET'), 'private');
  assert.equal(table.match('', '/public/x', 'GET'), 'public');
  assert.equal(table.match('', '/admin/x', 'GET'), 'admin');
  assert.equal(table.match('', '/other', 'GET'), 'default');
  assert.equal(table.match('', '/publicity', 'GET'), 'default', 'a near miss of an open route still falls through');
});

test('a near miss of a guarded route is refused (404), never sent to the open default', () => {
  for (const path of ['/private.json', '/privatex', '/private%3Bx', '/private%20', '/private-x/y']) {
    assert.equal(table.match('', path, 'GET'), undefined, path);
  }
});

test('for a prefix ending in /, the near misses are the directory itself and its ; form', () => {
  assert.equal(table.match('', '/admin', 'GET'), undefined);
  assert.equal(table.match('', '/admin;jsessionid=1', 'GET'), undefined);
  assert.equal(table.match('', '/admin%3Bjsessionid=1', 'GET'), undefined);
  assert.equal(table.match('', '/adminx', 'GET'), 'default', 'not under /admin/ for path_beg /admin/ either');
  assert.equal(table.match('', '/admin.php', 'GET'), 'default');
});

test('a later route with a longer prefix that names the path still wins', () => {
  assert.equal(table.match('', '/private-docs', 'GET'), 'docs');
  assert.equal(table.match('', '/private-docs/a', 'GET'), 'docs');
});

test('a near miss reaching a target with the same guard is not refused', () => {
  const same = new Router([{ path_prefix: '/api', guard: JWT, target: 'api' }], 'site', JWT);
  assert.equal(same.match('', '/apidocs', 'GET'), 'site');
  const stronger = new Router([{ path_prefix: '/api', guard: JWT, target: 'api' }], 'site', 'auth jwt roles admin');
  assert.equal(stronger.match('', '/apidocs', 'GET'), undefined);
  const none = new Router([{ path_prefix: '/api', guard: JWT, target: 'api' }], undefined);
  assert.equal(none.match('', '/apidocs', 'GET'), undefined);
});

test('a near miss is judged only among routes for the same host and method', () => {
  const router = new Router(
    [
      { host: 'a.test', path_prefix: '/private', guard: JWT, target: 'a-private' },
      { path_prefix: '/private', methods: ['POST'], guard: JWT, target: 'post-private' },
    ],
    'default',
  );
  assert.equal(router.match('b.test', '/private.json', 'GET'), 'default');
  assert.equal(router.match('a.test', '/private.json', 'GET'), undefined);
  assert.equal(router.match('b.test', '/private.json', 'POST'), undefined);
  assert.equal(router.match('b.test', '/private/x', 'GET'), 'default');
});

test('a catch-all route after a guarded route does not take its near misses', () => {
  const router = new Router(
    [
      { path_prefix: '/private', guard: JWT, target: 'private' },
      { path_prefix: '/', target: 'open' },
    ],
    undefined,
  );
  assert.equal(router.match('', '/private.json', 'GET'), undefined);
  assert.equal(router.match('', '/x', 'GET'), 'open');
});

test('guards: auth, source rules and error returns guard a prefix; open targets, redirects and 2xx returns do not', () => {
  const cidr = { family: 4 as const, bits: 0x7f000000n, prefix: 8 };
  assert.equal(admissionGuard({ label: 'a', policy: undefined, source: undefined }), undefined);
  assert.equal(admissionGuard({ label: 'a', source: undefined, answer: { kind: 'redirect', status: 302 } }), undefined);
  assert.equal(admissionGuard({ label: 'a', source: undefined, answer: { kind: 'return', status: 200 } }), undefined);
  assert.notEqual(admissionGuard({ label: 'a', source: undefined, answer: { kind: 'return', status: 403 } }), undefined);
  assert.notEqual(admissionGuard({ label: 'a', source: { allow: [cidr], deny: undefined } }), undefined);
  const jwt = admissionGuard({ label: 'a', policy: { name: 'jwt' }, source: undefined });
  assert.equal(admissionGuard({ label: 'b', policy: { name: 'jwt' }, source: undefined }), jwt, 'the same admission, the same guard');
  assert.notEqual(admissionGuard({ label: 'a', policy: { name: 'jwt' }, requirements: { roles: ['admin'] }, source: undefined }), jwt);
  assert.notEqual(admissionGuard({ label: 'a', policy: { name: 'jwt' }, source: { allow: [cidr], deny: undefined } }), jwt);
});
