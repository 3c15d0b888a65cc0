import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './cli-process.js';
import { freePorts } from '../e2e/support.js';

test('gatehouse up --help documents every flag, and npm start runs up', async () => {
  const result = spawnSync(process.execPath, [CLI, 'up', '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  for (const flag of ['--gateway-port', '--idp-port', '--echo-port', '--data-dir', '--database', '--workers', '--host']) {
    assert.match(result.stdout, new RegExp(`^  ${flag} `, 'm'), flag);
  }
  for (const file of ['demo.json', 'pubkey.pem', 'gatehouse.yaml']) assert.ok(result.stdout.includes(file), file);
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, 'node dist/src/cli/main.js up');
});

test('gatehouse up with a port in use names the port and its flag, exits 1, and starts nothing', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-up-port-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    for (const flag of ['--gateway-port', '--idp-port', '--echo-port']) {
      const others = ['--gateway-port', '--idp-port', '--echo-port'].filter((f) => f !== flag);
      const args = [CLI, 'up', '--data-dir', join(dataDir, 'd'), flag, String(port), others[0]!, '0', others[1]!, '0'];
      // --idp-port needs a fixed port: give it a free one when it is not the one under test.
      if (flag !== '--idp-port') args.splice(args.indexOf('--idp-port') + 1, 1, String((await freePorts(1))[0]));
      const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
      assert.equal(result.status, 1, `${flag}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`port ${port} \\(.+\\) is already in use on 127\\.0\\.0\\.1; .*choose another port with ${flag} <port>`));
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(existsSync(join(dataDir, 'd')), false, 'nothing written before the ports are known to be free');
  } finally {
    blocker.close();
  }
});

test('gatehouse up refuses a bad flag with exit 1', () => {
  const result = spawnSync(process.execPath, [CLI, 'up', '--workers', 'lots'], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /--workers: expected "auto" or a number from 1 to 256, got "lots"/);
});
