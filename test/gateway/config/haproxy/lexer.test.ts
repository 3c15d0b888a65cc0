/** The lexer reads words as HAProxy 2.6 does (../shared/reference/haproxy-cfg.md §1), keeping file:line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexHaproxy } from '../../../../src/gateway/config/haproxy/index.js';

const words = (line: string, env: Record<string, string> = {}) => {
  const r = lexHaproxy(`${line}\n`, 'h.cfg', env);
  assert.deepEqual(r.problems, []);
  return r.statements[0]?.words;
};
const problem = (line: string, env: Record<string, string> = {}) => lexHaproxy(`${line}\n`, 'h.cfg', env).problems[0]?.message ?? '';

test('blanks separate words; indentation and empty lines mean nothing; every statement keeps its line', () => {
  const r = lexHaproxy('global\n\n   nbthread\t 4\n', 'x.cfg', {});
  assert.deepEqual(r.statements.map((s) => [s.file, s.line, s.words]), [['x.cfg', 1, ['global']], ['x.cfg', 3, ['nbthread', '4']]]);
});

test('an unprotected # starts a comment anywhere, even inside a word', () => {
  assert.deepEqual(words('a#b c'), ['a']);
  assert.deepEqual(words('x "a#b" \'c#d\' e\\#f # gone'), ['x', 'a#b', 'c#d', 'e#f']);
  assert.equal(lexHaproxy('   # only a comment\n', 'h.cfg').statements.length, 0);
});

test('quotes vanish and pieces concatenate; single quotes are literal', () => {
  assert.deepEqual(words(`x "a"'b'c`), ['x', 'abc']);
  assert.deepEqual(words(`x 'a\\tb $HOME "q"'`), ['x', 'a\\tb $HOME "q"']);
  assert.deepEqual(words(`x "it's" "a b"`), ['x', "it's", 'a b']);
});

test('backslash escapes outside single quotes; unknown ones stay as written', () => {
  assert.deepEqual(words('x a\\ b \\\\ \\" \\t \\x41 \\1'), ['x', 'a b', '\\', '"', '\t', 'A', '\\1']);
  assert.match(problem('x \\xZZ'), /invalid \\x escape/);
});

test('environment variables expand only inside double quotes', () => {
  const env = { HOST: 'h.example', LIST: 'a b  c', EMPTY: '' };
  assert.deepEqual(words('x "${HOST}:80" $HOST "$HOST"', env), ['x', 'h.example:80', '$HOST', 'h.example']);
  assert.deepEqual(words('x "${UNSET-dflt}" "${EMPTY-dflt}y"', env), ['x', 'dflt', 'y']);
  assert.deepEqual(words('x "${LIST[*]}"', env), ['x', 'a', 'b', 'c']);
  assert.deepEqual(words('x "${.LINE}"'), ['x', '1']);
});

test('"$." inside double quotes is refused as HAProxy does (JSON paths must be single-quoted)', () => {
  assert.match(problem(`http-request set-var(txn.alg) http_auth_bearer,jwt_header_query("$.alg")`), /forbidden first char/);
  assert.deepEqual(words(`x jwt_header_query('$.alg')`), ['x', 'jwt_header_query($.alg)']);
});

test('an unmatched quote is an error naming the line', () => {
  const r = lexHaproxy('global\n  x "abc\n', 'q.cfg', {});
  assert.deepEqual(r.problems.map((p) => [p.line, p.message]), [[2, 'unmatched quote "']]);
});

test('an empty argument ends the argument list: words after it are an error, not dropped silently', () => {
  assert.deepEqual(words('x a ""'), ['x', 'a']);
  assert.match(problem('http-request set-header X "${EMPTY}" more', { EMPTY: '' }), /empty argument/);
});

test('no line continuation: a trailing backslash stays a backslash and the next line is a new statement', () => {
  const r = lexHaproxy('a b \\\nc\n', 'h.cfg', {});
  assert.deepEqual(r.statements.map((s) => s.words), [['a', 'b', '\\'], ['c']]);
});

test('a last line without LF is read, with a warning (HAProxy 2.6 refuses it)', () => {
  const r = lexHaproxy('global\n  nbthread 2', 'h.cfg', {});
  assert.equal(r.statements.length, 2);
  assert.equal(r.problems[0]?.warning, true);
  assert.match(r.problems[0]?.message ?? '', /Missing LF/);
});

test('.if blocks and [scope] markers are reported, not skipped', () => {
  assert.match(problem('.if defined(X)'), /not supported/);
  assert.match(problem('[scope]'), /not supported/);
});
