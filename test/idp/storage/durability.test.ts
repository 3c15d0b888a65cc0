/**
 * Killing the identity provider (SIGKILL) during a stream of writes loses no write it acknowledged:
 * SQLite runs in WAL mode with synchronous=FULL, and a 200 is sent only after the commit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Storage } from '../../../src/idp/storage/index.js';
import { tempDir } from '../support.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

test('acknowledged writes survive SIGKILL of the process', async () => {
  const dir = tempDir();
  const database = join(dir, 'idp.sqlite');
  const child = spawn(process.execPath, [CLI, 'idp', '--port', '0', '--database', database], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match !== null) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`idp exited early (${code}): ${stderr}`)));
    });
    const adminKey = /^\s{2}(\S{40,})$/m.exec(stdout)?.[1];
    assert.ok(adminKey, 'the admin key was printed once');

    const acknowledged: string[] = [];
    let killed = false;
    const writer = async () => {
      for (let i = 0; i < 1_000 && !killed; i++) {
        const id = crypto.randomUUID();
        try {
          const response = await fetch(`${url}/api/tenant/${id}`, {
            method: 'POST',
            headers: { authorization: adminKey, 'content-type': 'application/json' },
            body: JSON.stringify({ tenant: { name: `durable-${id}` } }),
          });
          if (response.status === 200) acknowledged.push(id);
          await response.arrayBuffer();
        } catch {
          return; // the process is gone
        }
        if (acknowledged.length >= 150 && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    assert.equal(child.signalCode, 'SIGKILL');
    assert.ok(acknowledged.length >= 150);

    const storage = await Storage.open(database);
    try {
      const missing: string[] = [];
      for (const id of acknowledged) if ((await storage.tenants.get(id)) === undefined) missing.push(id);
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged writes were lost`);
    } finally {
      await storage.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
