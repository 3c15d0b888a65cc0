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

test('a ; parameter on a dot or empty segment name is refused: servlet containers resolve /..;/ as /../', () => {
  for (const path of ['/public/..;/private', '/public/..;x/private', '/public/.;/x', '/public/%2e%2e;/private', '/public/..%3b/private', '/public/..%3Bjsessionid=1/private', '/;x/private', '/%3Bx/private', '/a/..;']) {
    assert.equal(normalizePath(path), undefined, path);
  }
});

test('a ; parameter on a named segment is kept, and so is a session id on the last empty segment', () => {
  for (const path of ['/x;jsessionid=abc', '/private;v=1/x', '/app/;jsessionid=1', '/;jsessionid=1', '/a;..', '/a;b./c']) {
    assert.equal(normalizePath(path), path, path);
  }
  assert.equal(normalizePath('/private;x/../public'), '/public');
  assert.equal(normalizePath('/a%3bb'), '/a%3Bb', 'an encoded ; stays encoded (upper-cased) inside a name');
});

test('a segment name ending in a dot or a space is refused (Windows trims them: /private. is /private)', () => {
  for (const path of ['/private.', '/private./x', '/private%2e/x', '/private%2E', '/private%20/x', '/private%20', '/a/...', '/a/x.;v=1', '/a/b%20;c']) {
    assert.equal(normalizePath(path), undefined, path);
  }
  for (const path of ['/.well-known/x', '/a..b', '/my%20file.txt', '/a/..b']) assert.notEqual(normalizePath(path), undefined, path);
});

test('double encodings are refused: a backend that decodes twice would read another path', () => {
  for (const path of ['/public/%252e%252e/private', '/public/%252E%252E/private', '/a%252fb', '/a%252Fb', '/a%253bb', '/a%255cb', '/a%25252e', '/a%25u002e', '/a%25U002E', '/a%2500', '/a%250a', '/%2570rivate', '/my%2520file']) {
    assert.equal(normalizePath(path), undefined, path);
  }
  assert.equal(normalizePath('/100%25'), '/100%25', 'a literal percent is fine');
  assert.equal(normalizePath('/100%25/x'), '/100%25/x');
  assert.equal(normalizePath('/100%25x'), '/100%25x', 'a literal percent before a non-hex character is fine');
});

test('normalisation is idempotent and the fast path returns the same string', () => {
  const samples = ['/a/./b/../c', '/%7e/%41', '//x//y/', '/a/b/..', '/x;v=1/../y', '/a/%2e%2e', '/caf%c3%a9/', '/private;x'];
  for (const path of samples) {
    const once = normalizePath(path);
    assert.notEqual(once, undefined, path);
    assert.equal(normalizePath(once as string), once, path);
  }
  const plain = '/api/v1/users;v=2/x.json';
  assert.equal(normalizePath(plain), plain);
});

test('overlong UTF-8 escapes are refused (a lax decoder reads %c0%ae as a dot); valid UTF-8 and other bytes are kept', () => {
  for (const path of ['/public/%c0%ae%c0%ae/private', '/a%c0%afb', '/a%C1%9C', '/a%e0%80%ae', '/a%E0%9F%BF', '/a%f0%80%80%af']) {
    assert.equal(normalizePath(path), undefined, path);
  }
  for (const [path, normal] of [['/caf%c3%a9', '/caf%C3%A9'], ['/%e0%a4%85', '/%E0%A4%85'], ['/%f0%9f%98%80', '/%F0%9F%98%80'], ['/latin1-%e9', '/latin1-%E9'], ['/%e0x', '/%E0x']]) {
    assert.equal(normalizePath(path as string), normal, path);
  }
});
