import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCode, GatehouseError, isGatehouseError } from '../../src/shared/errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

test('every error code is documented in docs/errors.md, and the doc lists no code that does not exist', () => {
  const codes = new Set<string>(Object.values(ErrorCode));
  for (const code of codes) assert.ok(doc.includes(`| \`${code}\` |`), `${code} is missing from docs/errors.md`);
  const documented = [...doc.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
  for (const code of documented) assert.ok(codes.has(code!), `docs/errors.md lists ${code}, which src/shared/errors.ts does not define`);
});

test('codes are unique', () => {
  const values = Object.values(ErrorCode);
  assert.equal(new Set(values).size, values.length);
});

test('a GatehouseError keeps its code, and the public message defaults to the message', () => {
  const error = new GatehouseError(ErrorCode.CONFIG_INVALID, 'frontends.a.bind: expected host:port');
  assert.ok(isGatehouseError(error, ErrorCode.CONFIG_INVALID));
  assert.equal(isGatehouseError(error, ErrorCode.USAGE), false);
  assert.equal(error.publicMessage, error.message);
});
