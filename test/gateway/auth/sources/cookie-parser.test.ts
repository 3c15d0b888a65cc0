/** findCookie: exact names at pair boundaries, quoted values, size caps before anything else, a name sent twice refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COOKIE_TOO_LONG, DUPLICATE_COOKIE, findCookie, NO_COOKIE } from '../../../../src/gateway/auth/sources/index.js';

test('finds the named cookie only at a pair boundary, with optional spaces', () => {
  assert.equal(findCookie('app.at=abc', 'app.at', 100), 'abc');
  assert.equal(findCookie('a=1;app.at=abc;b=2', 'app.at', 100), 'abc');
  assert.equal(findCookie('a=1;   app.at=abc  ; b=2', 'app.at', 100), 'abc');
  assert.equal(findCookie('xapp.at=1; app.atx=2; app.at2=3', 'app.at', 100), NO_COOKIE);
  assert.equal(findCookie('a=app.at=1', 'app.at', 100), NO_COOKIE, 'inside another value');
  assert.equal(findCookie('APP.AT=1', 'app.at', 100), NO_COOKIE, 'names are case-sensitive');
  assert.equal(findCookie(undefined, 'app.at', 100), NO_COOKIE);
  assert.equal(findCookie('', 'app.at', 100), NO_COOKIE);
  assert.equal(findCookie('app.at=', 'app.at', 100), '');
  assert.equal(findCookie(['a=1', 'app.at=x'], 'app.at', 100), 'x', 'several Cookie fields');
});

test('a DQUOTE-wrapped value is unquoted; nothing is decoded', () => {
  assert.equal(findCookie('app.at="a.b.c"', 'app.at', 100), 'a.b.c');
  assert.equal(findCookie('app.at=a%2Eb', 'app.at', 100), 'a%2Eb');
  assert.equal(findCookie('app.at="', 'app.at', 100), '"', 'a lone quote is not a quoted value');
});

test('a name sent twice is refused, whatever the values; a value over the cap is refused', () => {
  assert.equal(findCookie('app.at=a; app.at=a', 'app.at', 100), DUPLICATE_COOKIE);
  assert.equal(findCookie('app.at=a; x=1; app.at=b', 'app.at', 100), DUPLICATE_COOKIE);
  assert.equal(findCookie(`app.at=${'x'.repeat(101)}`, 'app.at', 100), COOKIE_TOO_LONG);
  assert.equal(findCookie(`app.at="${'x'.repeat(100)}"`, 'app.at', 100), 'x'.repeat(100), 'the quotes do not count');
  assert.equal(findCookie(`big=${'x'.repeat(10_000)}; app.at=ok`, 'app.at', 100), 'ok', 'other cookies may be large');
});
