#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with Node's own test runner, one file at a time.
// Tests are written in TypeScript under test/, mirroring src/, and compiled by `npm run build`.
// Usage: node scripts/run-tests.mjs [substring filter ...]     (npm test -- <filter> builds first)
//
// - A file that runs longer than GATEHOUSE_TEST_FILE_TIMEOUT_MS (300 s) fails the run; it is not run again
//   (a rerun would hide a hang). The watchdog (test-watchdog.mjs) prints what was still running at 240 s
//   and ends the file at the timeout (Node 22+ `--test-timeout` no longer bounds a file as a whole).
// - Every temporary file the tests make goes under one directory of this run (TMPDIR points there for
//   the test processes and everything they start), removed when the run ends: also on Ctrl-C or SIGTERM.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect(testRoot, []).filter(
  (f) => filters.length === 0 || filters.some((s) => relative(testRoot, f).includes(s)),
);
if (files.length === 0) {
  console.error(`run-tests: no test files matched ${filters.map((f) => JSON.stringify(f)).join(' ')}`);
  process.exit(1);
}
const reporter = process.env.TEST_REPORTER ?? 'spec';
const fileTimeoutMs = Number(process.env.GATEHOUSE_TEST_FILE_TIMEOUT_MS ?? 300_000);
const watchdog = new URL('./test-watchdog.mjs', import.meta.url).href;

const runDir = mkdtempSync(join(tmpdir(), 'gatehouse-run-'));
const removeRunDir = () => rmSync(runDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });

const child = spawn(
  process.execPath,
  [
    '--import', watchdog, '--test',
    `--test-reporter=${reporter}`, '--test-reporter-destination=stdout',
    '--test-concurrency=1', `--test-timeout=${fileTimeoutMs}`, ...files,
  ],
  {
    stdio: 'inherit',
    cwd: root,
    // the watchdog in each test process ends a file at the timeout (see test-watchdog.mjs)
    env: { ...process.env, GATEHOUSE_TEST_FILE_TIMEOUT_MS: String(fileTimeoutMs), TMPDIR: runDir, TMP: runDir, TEMP: runDir },
  },
);

// Ctrl-C reaches the test processes from the terminal too; a signal sent to this process alone is passed
// on. Either way the run ends when the test runner has exited, and only then is the directory removed.
let stoppedBy;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stoppedBy !== undefined) return;
    stoppedBy = signal;
    child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  try {
    removeRunDir();
  } catch (error) {
    console.error(`run-tests: could not remove ${runDir}: ${error.code ?? error.message}`);
  }
  if (stoppedBy !== undefined) {
    console.error(`\nrun-tests: stopped by ${stoppedBy}; removed ${runDir}`);
    process.exit(stoppedBy === 'SIGINT' ? 130 : 143);
  }
  process.exit(code ?? (signal === null ? 1 : 128));
});
