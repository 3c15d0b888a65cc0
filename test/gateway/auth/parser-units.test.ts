/** The small parts on their own: extractor, strict base64url, strict JSON. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64url } from '../../../src/gateway/auth/base64url.js';
import { extractBearer, NO_HEADER, NOT_BEARER, TOO_LONG } from '../../../src/gateway/auth/extract.js';
import { parseStrictJsonObject } from '../../../src/gateway/auth/strict-json.js';

test('extractor: scheme case-insensitive, one or more spaces, OWS trimmed, size capped before looking inside', () => {
  assert.equal(extractBearer(undefined, 100), NO_HEADER);
  assert.equal(extractBearer('Bearer abc', 100), 'abc');
  assert.equal(extractBearer('bEaReR   abc  ', 100), 'abc');
  assert.equal(extractBearer('\tBearer abc', 100), 'abc');
  assert.equal(extractBearer('Bearer', 100), '');
  assert.equal(extractBearer('Bearer\tabc', 100), NOT_BEARER);
  assert.equal(extractBearer('Bearerabc', 100), NOT_BEARER);
  assert.equal(extractBearer('Basic abc', 100), NOT_BEARER);
  assert.equal(extractBearer(['Bearer a', 'Bearer b'], 100), NOT_BEARER);
  assert.equal(extractBearer(`Bearer ${'a'.repeat(101)}`, 100), TOO_LONG);
  assert.equal(extractBearer(`Bearer ${'a'.repeat(100)}`, 100), 'a'.repeat(100));
  assert.equal(extractBearer(' '.repeat(10_000), 100), TOO_LONG);
});

test('base64url: canonical only', () => {
  assert.deepEqual(decodeBase64url('AQID'), Buffer.from([1, 2, 3]));
  assert.deepEqual(decodeBase64url(''), Buffer.alloc(0));
  assert.deepEqual(decodeBase64url('_-8'), Buffer.from([0xff, 0xef]));
  for (const bad of ['AQID=', 'AQ==', 'A', 'AQ+/', 'AQ I', 'AR', 'AQIE\n', 'é']) assert.equal(decodeBase64url(bad), undefined, bad);
  assert.deepEqual(decodeBase64url('AQ'), Buffer.from([1]));
});

test('strict JSON: duplicates at any depth, depth cap, NUL, lone surrogates, BOM, invalid UTF-8, non-objects', () => {
  const parse = (s: string, depth = 16) => parseStrictJsonObject(Buffer.from(s), depth);
  assert.deepEqual(parse('{"a":1,"b":{"c":[1,{"d":2}]}}'), { ok: true, value: { a: 1, b: { c: [1, { d: 2 }] } } });
  assert.deepEqual(parse('{"a":1,"a":1}'), { ok: false, problem: 'duplicate' });
  assert.deepEqual(parse('{"a":{"b":1,"b":2}}'), { ok: false, problem: 'duplicate' });
  assert.deepEqual(parse('{"a":1,"\\u0061":2}'), { ok: false, problem: 'duplicate' });
  assert.deepEqual(parse('{"a":"x\\"a\\":1","b":1}'), { ok: true, value: { a: 'x"a":1', b: 1 } }, 'keys inside strings are not keys');
  assert.deepEqual(parse('{"k":["a","a"]}'), { ok: true, value: { k: ['a', 'a'] } });
  // duplicates are found by counting members in the text and in the parsed value: cases where they differ
  assert.deepEqual(parse('{"a":{"b":1,"c":2},"a":{"b":1,"c":2}}'), { ok: false, problem: 'duplicate' }, 'the dropped copy had members too');
  assert.deepEqual(parse('{"x":[{"a":1},{"b":2,"b":3}]}'), { ok: false, problem: 'duplicate' }, 'inside an array');
  assert.deepEqual(parse('{"__proto__":1,"__proto__":2}'), { ok: false, problem: 'duplicate' });
  assert.deepEqual(parse('{"__proto__":{"a":1},"b":2}'), { ok: true, value: JSON.parse('{"__proto__":{"a":1},"b":2}') });
  assert.deepEqual(parse('{"a:b":"c:d","e":{"f:":":"}}'), { ok: true, value: { 'a:b': 'c:d', e: { 'f:': ':' } } }, 'colons inside strings are not members');
  assert.deepEqual(parse('{"a\\\\":"\\\\","a\\\\\\\\":1}'), { ok: true, value: { 'a\\': '\\', 'a\\\\': 1 } }, 'escaped backslashes before a closing quote');
  assert.deepEqual(parse('{"a":[[[1]]]}', 3), { ok: false, problem: 'depth' });
  assert.deepEqual(parse('{"a":[[1]]}', 3), { ok: true, value: { a: [[1]] } });
  assert.deepEqual(parse('{"a":"\\u0000"}'), { ok: false, problem: 'nul' });
  assert.deepEqual(parseStrictJsonObject(Buffer.from('{"a":"\\u0000"}'), 16, true), { ok: true, value: { a: '\u0000' } });
  assert.deepEqual(parse('{"a":"\\ud800"}'), { ok: false, problem: 'surrogate' });
  assert.deepEqual(parse('{"a":"\\udc00\\ud800"}'), { ok: false, problem: 'surrogate' });
  assert.deepEqual(parse('{"a":"\\ud83d\\ude00"}'), { ok: true, value: { a: '😀' } });
  assert.deepEqual(parseStrictJsonObject(Buffer.from('\ufeff{}'), 16), { ok: false, problem: 'bom' });
  assert.deepEqual(parseStrictJsonObject(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 16), { ok: false, problem: 'utf8' });
  for (const s of ['[]', '1', '"s"', 'null']) assert.deepEqual(parse(s), { ok: false, problem: 'not-object' });
  for (const s of ['{', '{"a":}', '{"a":1,}', "{'a':1}", '{"a":1}x', '{"a":01}']) assert.deepEqual(parse(s), { ok: false, problem: 'syntax' }, s);
});

test('base64url: the canonical check agrees with re-encoding on every 2- and 3-character tail', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const a of alphabet) {
    for (const b of alphabet) {
      for (const tail of [`${a}${b}`, `${a}${b}Q`, `${a}${b}R`]) {
        const reencoded = Buffer.from(tail, 'base64url').toString('base64url');
        assert.equal(decodeBase64url(tail) !== undefined, reencoded === tail, tail);
      }
    }
  }
});
