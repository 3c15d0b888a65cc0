import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { spawnSync } from 'node:child_process';
import { CLI, spawnCli } from './cli-process.js';

test('gatehouse echo --help documents its flags', () => {
  const result = spawnSync(process.execPath, [CLI, 'echo', '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  for (const flag of ['--port', '--host', '--name']) assert.match(result.stdout, new RegExp(`^  ${flag}\\b`, 'm'));
});

test('gatehouse echo serves requests and stops cleanly on SIGTERM and on SIGINT', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const echo = spawnCli(['echo', '--port', '0', '--name', 'alone']);
    try {
      const [, url] = await echo.waitFor(/listening on (http:\/\/\S+)/);
      const response = await fetch(`${url}/hello`, { headers: { accept: 'application/json', 'x-jwt-roles': 'admin' } });
      assert.equal(response.status, 200);
      const echoed = (await response.json()) as { server: string; path: string; claims: Record<string, string> };
      assert.equal(echoed.server, 'alone');
      assert.equal(echoed.path, '/hello');
      assert.deepEqual(echoed.claims, { 'x-jwt-roles': 'admin' });
      assert.equal(await echo.stop(signal), 0, `exit code after ${signal}`);
    } finally {
      await echo.stop('SIGKILL');
    }
  }
});

test('gatehouse echo on a port in use names the port and the flag, and exits 1', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const result = spawnSync(process.execPath, [CLI, 'echo', '--port', String(port)], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`port ${port} \\(echo service\\) is already in use.*--port <port>`));
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    blocker.close();
  }
});

test('gatehouse echo refuses a bad port and an unknown flag with exit 1 and a clear message', () => {
  const bad = spawnSync(process.execPath, [CLI, 'echo', '--port', '70000'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--port: expected a port number from 0 to 65535, got "70000"/);
  const unknown = spawnSync(process.execPath, [CLI, 'echo', '--frobnicate'], { encoding: 'utf8' });
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /Unknown option '--frobnicate'/);
});
