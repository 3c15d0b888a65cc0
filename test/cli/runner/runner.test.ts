/**
 * scripts/run-tests.mjs (what `npm test` runs): a file that times out fails the run and is not run again,
 * and the temporary directories tests make are removed when the run is stopped with Ctrl-C.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../../../../scripts/run-tests.mjs', import.meta.url));
const FIXTURE = 'cli/runner/fixture.test';

function runFixture(mode: string, env: Record<string, string> = {}) {
  // its own process group, as a terminal's foreground job: Ctrl-C signals the whole group
  // without NODE_TEST_CONTEXT: the runner started from inside a test would otherwise refuse to run files
  const { NODE_TEST_CONTEXT: _context, ...outer } = process.env;
  const child = spawn(process.execPath, [RUNNER, FIXTURE], {
    env: { ...outer, GATEHOUSE_RUNNER_FIXTURE: mode, TEST_REPORTER: 'spec', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const match = pattern.exec(output);
      if (match !== null) return match;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in the runner's output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

test('Ctrl-C on the test run removes the temporary directories the tests made', { timeout: 60_000 }, async (t) => {
  const run = runFixture('temp');
  t.after(() => {
    if (run.child.exitCode === null) process.kill(-(run.child.pid as number), 'SIGKILL');
  });
  const [, dir] = (await run.waitFor(/fixture temp dir: (\S+)/)) as RegExpMatchArray;
  assert.ok(existsSync(dir as string), 'the test made its directory');
  const runDir = dirname(dir as string);
  assert.match(basename(runDir), /^gatehouse-run-/, 'under the run\'s own temporary directory');
  process.kill(-(run.child.pid as number), 'SIGINT');
  assert.equal(await run.exited, 130);
  assert.equal(existsSync(dir as string), false, `${dir} is removed`);
  assert.equal(existsSync(runDir), false, `${runDir} is removed`);
});

test('SIGTERM to the runner alone stops the tests and removes their directories too', { timeout: 60_000 }, async (t) => {
  const run = runFixture('temp');
  t.after(() => {
    if (run.child.exitCode === null) process.kill(-(run.child.pid as number), 'SIGKILL');
  });
  const [, dir] = (await run.waitFor(/fixture temp dir: (\S+)/)) as RegExpMatchArray;
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 143);
  assert.equal(existsSync(dirname(dir as string)), false);
});

test('a test file that times out fails the run, and is run once only', { timeout: 60_000 }, async (t) => {
  const run = runFixture('hang', { GATEHOUSE_TEST_FILE_TIMEOUT_MS: '2000' });
  t.after(() => {
    if (run.child.exitCode === null) process.kill(-(run.child.pid as number), 'SIGKILL');
  });
  const code = await run.exited;
  assert.notEqual(code, 0, `the run failed:\n${run.output()}`);
  assert.equal(run.output().split('fixture started').length - 1, 1, `the file ran once:\n${run.output()}`);
});
