import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePath } from '../../src/gateway/index.js';

test('already-normal paths come back unchanged', () => {
  for (const path of ['/', '/api/users', '/a-b_c~d/e.txt', '/x;v=1', '/a/b/']) assert.equal(normalizePath(path), path);
});

test('dot segments, encoded dots and repeated slashes are normalised (RFC 3986 §5.2.4)', () => {
  assert.equal(normalizePath('/public/../admin'), '/admin');
  assert.equal(normalizePath('/public/%2e%2e/admin'), '/admin');
  assert.equal(normalizePath('/public/%2E%2E/admin'), '/admin');
  assert.equal(normalizePath('/public/.%2e/admin'), '/admin');
  assert.equal(normalizePath('/a/./b/.'), '/a/b/');
  assert.equal(normalizePath('/../../etc/passwd'), '/etc/passwd');
  assert.equal(normalizePath('//admin//x'), '/admin/x');
  assert.equal(normalizePath('/a/b/..'), '/a/');
  assert.equal(normalizePath('/%7Euser/%61pi'), '/~user/api');
  assert.equal(normalizePath('/caf%c3%a9'), '/caf%C3%A9');
});

test('encoded slash, backslash, NUL, control characters and bad escapes are refused', () => {
  for (const path of ['/a%2fb', '/a%2Fb', '/a%5cb', '/a\\b', '/a%00b', '/a%0d%0ab', '/a%zz', '/a%2', 'relative', '', '/a b', '/a#frag', '/é']) {
    assert.equal(normalizePath(path), undefined, path);
  }
});
