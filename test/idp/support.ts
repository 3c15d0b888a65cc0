/** Shared set-up for identity provider tests: a real server on port 0 with a fresh SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/shared/logger.js';
import { startIdp, type IdpOptions, type RunningIdp } from '../../src/idp/index.js';

export interface TestIdp extends RunningIdp {
  adminKey: string;
  dir: string;
  logLines: string[];
  /** fetch against the server with the admin key and JSON. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Headers }>;
}

/** A logger writing JSON lines into `lines`. */
export function capturingLogger(lines: string[]): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(line);
      done();
    },
  });
  return createLogger({ name: 'idp-test', level: 'debug', destination });
}

export function tempDir(prefix = 'gatehouse-idp-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestIdp(options: Partial<IdpOptions> = {}): Promise<TestIdp> {
  const dir = tempDir();
  const logLines: string[] = [];
  let adminKey = '';
  const idp = await startIdp({
    host: '127.0.0.1',
    port: 0,
    database: join(dir, 'idp.sqlite'),
    logger: capturingLogger(logLines),
    onAdminKey: (key) => {
      adminKey = key;
    },
    ...options,
  });
  const api: TestIdp['api'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${idp.url}${path}`, {
      method,
      headers: { authorization: adminKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };
  return {
    ...idp,
    adminKey,
    dir,
    logLines,
    api,
    async close() {
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Decodes a JWT's header and payload without verifying. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}
