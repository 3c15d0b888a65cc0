/**
 * `gatehouse idp` alone on a fresh database has no console administrator: it says so at start, with the
 * command that makes one, instead of leaving it to a failed sign-in. Once the printed command has run, the
 * next start says nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from './cli-process.js';

test('gatehouse idp warns that nobody can sign in to the console, and the printed command fixes it', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-idp-admin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const database = join(dir, 'idp.sqlite');
  const first = spawnCli(['idp', '--port', '0', '--database', database]);
  t.after(() => first.stop('SIGKILL'));
  const [, url] = (await first.waitFor(/listening on (http:\/\/\S+)/, 60_000)) as RegExpMatchArray;
  await first.waitFor(/WARNING: nobody can sign in to the admin console/, 30_000);
  const [, key] = (await first.waitFor(/keep it somewhere safe:\s+(\S+)/)) as RegExpMatchArray;
  await first.waitFor(/npx gatehouse up makes one/);
  // the printed commands, as a reader fills them in: create the console's application, then the administrator
  const printed = [...first.stderr().matchAll(/curl -X POST (\S+) [^\n]*\\\n\s+-d '([^']+)'/g)];
  assert.equal(printed.length, 2, first.stderr());
  for (const [, target, body] of printed) {
    const response = await fetch(target as string, {
      method: 'POST',
      headers: { authorization: key as string, 'content-type': 'application/json' },
      body: (body as string).replace('<password>', 'a-long-password-1'),
    });
    assert.equal(response.status, 200, await response.text());
  }
  const signIn = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { authorization: key as string, 'content-type': 'application/json' },
    body: JSON.stringify({ loginId: 'admin@example.com', password: 'a-long-password-1' }),
  });
  assert.equal(signIn.status, 200, 'the administrator can sign in');
  assert.equal(await first.stop('SIGINT'), 0);

  const second = spawnCli(['idp', '--port', '0', '--database', database]);
  t.after(() => second.stop('SIGKILL'));
  await second.waitFor(/listening on/, 60_000);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.doesNotMatch(second.stderr(), /nobody can sign in/);
  assert.equal(await second.stop('SIGINT'), 0);
});
