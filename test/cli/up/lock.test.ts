/**
 * One `up` per data directory: a second is refused naming the first's pid and ports; a lock left by a
 * process that is gone is taken over; stopping removes the lock. Real processes hold the locks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir, lockPath } from '../../../src/cli/up/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';

function dataDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function holderLock(dir: string, pid: number): void {
  writeFileSync(lockPath(dir), JSON.stringify({ pid, ports: { 'identity provider': 9011, gateway: 8080 }, startedAt: '2026-12-07T12:00:00.000Z' }));
}

test('a data directory in use by a running up is refused, naming its pid and ports', async (t) => {
  const dir = dataDir(t);
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  t.after(() => other.kill('SIGKILL'));
  await new Promise((resolve) => other.once('spawn', resolve));
  holderLock(dir, other.pid as number);
  assert.throws(
    () => lockDataDir(dir, './data', { gateway: 8081 }),
    (error: unknown) =>
      isGatehouseError(error, 'ERR_UP_DATA_DIR_IN_USE') &&
      error.message.startsWith(`./data is in use by another gatehouse up: pid ${other.pid} (identity provider 9011, gateway 8080)`) &&
      error.message.includes('--data-dir'),
  );
  assert.equal(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid, other.pid, 'the first one keeps its lock');
});

test('a lock left by a process that is gone is taken over, and released on stop', async (t) => {
  const dir = dataDir(t);
  const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => gone.once('exit', resolve));
  holderLock(dir, gone.pid as number);
  const lock = lockDataDir(dir, './data', { gateway: 8080 });
  const holder = JSON.parse(readFileSync(lockPath(dir), 'utf8'));
  assert.equal(holder.pid, process.pid);
  assert.deepEqual(holder.ports, { gateway: 8080 });
  lock.release();
  assert.equal(existsSync(lockPath(dir)), false);
});

test('a damaged lock file is taken over', (t) => {
  const dir = dataDir(t);
  writeFileSync(lockPath(dir), 'not json');
  const lock = lockDataDir(dir, './data', {});
  assert.equal(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid, process.pid);
  lock.release();
});
