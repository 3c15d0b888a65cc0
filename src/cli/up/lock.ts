/**
 * One `up` per data directory: `<data-dir>/up.lock` holds the pid and ports of the `up` using it, made with
 * O_EXCL so two starts cannot both take it. A second `up` on the directory is refused, naming the first's
 * pid and ports; a lock left by a process that no longer runs (a crash, kill -9) is taken over. The lock is
 * removed when `up` stops.
 */
import { openSync, writeSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export interface LockHolder {
  readonly pid: number;
  readonly ports: Readonly<Record<string, number>>;
  readonly startedAt: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export function lockPath(dataDir: string): string {
  return join(dataDir, 'up.lock');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isInteger(holder.pid) && holder.pid > 0 ? holder : undefined;
  } catch {
    return undefined;
  }
}

function describe(holder: LockHolder): string {
  const ports = Object.entries(holder.ports).map(([what, port]) => `${what} ${port}`).join(', ');
  return `pid ${holder.pid}${ports === '' ? '' : ` (${ports})`}, started ${holder.startedAt}`;
}

/** Takes the lock of `dataDir` (which exists) or throws ERR_UP_DATA_DIR_IN_USE naming the holder. */
export function lockDataDir(dataDir: string, dataDirDisplay: string, ports: Readonly<Record<string, number>>): DataDirLock {
  const path = lockPath(dataDir);
  const content = `${JSON.stringify({ pid: process.pid, ports, startedAt: new Date().toISOString() } satisfies LockHolder)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      if (holder !== undefined && holder.pid !== process.pid && alive(holder.pid)) {
        throw new GatehouseError(
          ErrorCode.UP_DATA_DIR_IN_USE,
          `${dataDirDisplay} is in use by another gatehouse up: ${describe(holder)}. Stop it first (Ctrl-C in its terminal, or kill ${holder.pid}), or give this one its own directory with --data-dir <dir>`,
        );
      }
      // a dead holder, or a lock being written (holder unreadable): take over a stale one
      if (holder === undefined && attempt === 0) {
        // give a concurrent start a moment to finish writing its lock
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        continue;
      }
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      path,
      release() {
        if (released) return;
        released = true;
        if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
      },
    };
  }
  throw new GatehouseError(ErrorCode.UP_DATA_DIR_IN_USE, `${dataDirDisplay}: could not take ${path}; another gatehouse up may be starting on it`);
}
