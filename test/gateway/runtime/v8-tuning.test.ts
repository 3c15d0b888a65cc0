/**
 * The gateway's V8 settings (runtime/v8-tuning.ts): pretenuring is off unless GATEHOUSE_V8_PRETENURING=on,
 * and a value that is neither on nor off stops `gatehouse gateway` before it listens, naming the variable.
 * (What turning pretenuring off does to GC pauses is measured in docs/http2.md, not asserted here: V8 gives
 * JavaScript no way to read a flag back.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pretenuringWanted, V8_PRETENURING_ENV } from '../../../src/gateway/runtime/v8-tuning.js';
import { spawnCli } from '../../cli/cli-process.js';

test('pretenuring is off by default and with off, kept with on', () => {
  assert.equal(pretenuringWanted({}), false);
  assert.equal(pretenuringWanted({ [V8_PRETENURING_ENV]: '' }), false);
  assert.equal(pretenuringWanted({ [V8_PRETENURING_ENV]: 'off' }), false);
  assert.equal(pretenuringWanted({ [V8_PRETENURING_ENV]: 'on' }), true);
});

test('any other value is refused with the variable named', () => {
  for (const value of ['yes', 'ON', '1', 'true']) {
    assert.throws(() => pretenuringWanted({ [V8_PRETENURING_ENV]: value }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_CONFIG_INVALID');
      assert.match(error.message, new RegExp(`^${V8_PRETENURING_ENV}: expected on or off, got "${value}"$`));
      return true;
    });
  }
});

test('gatehouse gateway exits 1 on a bad value, before it listens; with on it starts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-v8-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(config, 'frontends:\n  web: { bind: "127.0.0.1:0", default_backend: up }\nbackends:\n  up: { servers: { s1: { address: "127.0.0.1:9" } } }\n');
  const bad = spawnCli(['gateway', '--config', config], { env: { [V8_PRETENURING_ENV]: 'sometimes' } });
  assert.equal(await bad.exited(), 1);
  assert.match(bad.stderr(), /GATEHOUSE_V8_PRETENURING: expected on or off, got "sometimes" \(ERR_CONFIG_INVALID\)/);
  assert.doesNotMatch(bad.stdout() + bad.stderr(), /listening/);
  const good = spawnCli(['gateway', '--config', config], { env: { [V8_PRETENURING_ENV]: 'on', GATEHOUSE_LOG_LEVEL: 'info' } });
  await good.waitFor(/listening/);
  assert.equal(await good.stop('SIGTERM'), 0);
});
