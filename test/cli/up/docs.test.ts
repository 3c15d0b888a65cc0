/** docs/walkthrough.md stays true: its gateway config parses with the gateway's own loader, its flags are up's flags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseGatewayConfig } from '../../../src/gateway/index.js';
import { UP_HELP } from '../../../src/cli/up/index.js';

const doc = readFileSync(new URL('../../../../docs/walkthrough.md', import.meta.url), 'utf8');

test('the gatehouse.yaml shown in docs/walkthrough.md is a valid config with the seed policy', () => {
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 1);
  const config = parseGatewayConfig(parseYaml(blocks[0]!), '/srv/data');
  assert.equal(config.auth.seed?.response, 'seed');
  assert.deepEqual(config.auth.seed?.algorithms, ['RS256']);
  assert.equal(config.frontends.myfrontend?.auth, 'seed');
  assert.equal(config.auth.seed?.require_registration, true, 'as up writes it');
});

test('every flag in the docs/walkthrough.md table is a flag of gatehouse up, and the other way round', () => {
  const documented = [...doc.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]!);
  const helped = [...UP_HELP.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);
  assert.deepEqual([...documented].sort(), [...helped].sort());
});

test('every error code docs/walkthrough.md lists is one gatehouse up can raise', async () => {
  const { ErrorCode } = await import('../../../src/shared/errors.js');
  const known = new Set<string>(Object.values(ErrorCode));
  const listed = [...doc.matchAll(/^\| `(ERR_[A-Z_]+)`/gm)].map((m) => m[1]!);
  assert.ok(listed.length >= 8);
  for (const code of listed) assert.ok(known.has(code), code);
  for (const code of Object.values(ErrorCode).filter((c) => c.startsWith('ERR_UP_'))) assert.ok(listed.includes(code), `${code} is documented`);
});
