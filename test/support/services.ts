/**
 * Tests that need something outside Node (HAProxy, wrk, Chromium, PostgreSQL, Redis, the shared test
 * vectors) call one of these first. On a user's machine a missing service skips the test with a loud
 * message; in CI (CI=true) it fails the test, because CI must have installed and started it.
 */
import type { TestContext } from 'node:test';
import { accessSync, constants } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

function unavailable(t: TestContext, what: string): false {
  const message = `${what} is not available`;
  if (IN_CI) throw new Error(`${message} — CI must install and start it (.ci/run)`);
  console.warn(`\n!!! SKIPPED: ${message}; install it to run this test !!!\n`);
  t.skip(message);
  return false;
}

/** Resolves a command on PATH, or an absolute path; returns its path or undefined. */
export function findExecutable(name: string): string | undefined {
  if (name.startsWith('/')) {
    try {
      accessSync(name, constants.X_OK);
      return name;
    } catch {
      return undefined;
    }
  }
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function requireExecutable(t: TestContext, name: string): string | false {
  const path = findExecutable(name);
  return path ?? unavailable(t, `the program "${name}"`);
}

export function requirePath(t: TestContext, path: string, what: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return unavailable(t, `${what} (${path})`);
  }
}

/** True when something accepts TCP connections at host:port within the timeout. */
export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function requireTcpService(t: TestContext, what: string, host: string, port: number): Promise<boolean> {
  return (await canConnect(host, port)) ? true : unavailable(t, `${what} at ${host}:${port}`);
}

export const POSTGRES_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SHARED_DIR = new URL('../../../../shared/', import.meta.url).pathname;
