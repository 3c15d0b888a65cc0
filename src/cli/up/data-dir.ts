/**
 * The data directory of `gatehouse up`: created on the first start (owner-only, since it holds the demo
 * credentials and the SQLite database), reused after. Every file `up` reads or writes is named here.
 */
import { mkdirSync, statSync, writeFileSync, renameSync, readFileSync, chmodSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export interface DataPaths {
  readonly dir: string;
  readonly database: string;
  readonly demo: string;
  readonly kickstart: string;
  readonly publicKey: string;
  /** Gateway config with the static pubkey.pem (the seed's set-up). */
  readonly staticConfig: string;
  /** The seed's own haproxy.cfg with pubkey.pem (runs on Gatehouse as it is). */
  readonly haproxyConfig: string;
  /** Gateway config with keys from the identity provider's JWKS (what `up` runs). */
  readonly jwksConfig: string;
  readonly log: string;
  /** The development mailbox: every email the identity provider sends (mailbox.ts). */
  readonly mail: string;
}

export function dataPaths(dir: string): DataPaths {
  return {
    dir,
    database: join(dir, 'idp.sqlite'),
    demo: join(dir, 'demo.json'),
    kickstart: join(dir, 'kickstart.json'),
    publicKey: join(dir, 'pubkey.pem'),
    staticConfig: join(dir, 'gatehouse.yaml'),
    jwksConfig: join(dir, 'gatehouse-jwks.yaml'),
    haproxyConfig: join(dir, 'haproxy.cfg'),
    log: join(dir, 'gatehouse.log'),
    mail: join(dir, 'mail'),
  };
}

/** Creates the directory if needed; refuses a path that exists and is not a directory. */
export function ensureDataDir(dir: string): void {
  try {
    if (!statSync(dir).isDirectory()) {
      throw new GatehouseError(ErrorCode.UP_DATA_DIR, `--data-dir: ${dir} exists and is not a directory`);
    }
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new GatehouseError(ErrorCode.UP_DATA_DIR, `--data-dir: cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
}

/** Writes through a temporary file and a rename, so a crash never leaves half a file behind. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** `./data/demo.json` when the path is under the working directory, else the absolute path. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : `./${rel}`;
}
