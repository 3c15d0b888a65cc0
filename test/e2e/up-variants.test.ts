/**
 * `gatehouse up` beyond the default start: several gateway workers, PostgreSQL instead of SQLite, and the
 * clear refusals (a database that belongs to another data directory, a damaged demo.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CLI, spawnCli } from '../cli/cli-process.js';
import { POSTGRES_URL, requireTcpService } from '../support/services.js';
import { freePorts, readDemo, READY, START_TIMEOUT_MS, type Demo } from './support.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-up-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function portArgs(): Promise<string[]> {
  const [gateway, idp, echo] = await freePorts(3);
  return ['--gateway-port', String(gateway), '--idp-port', String(idp), '--echo-port', String(echo)];
}

async function loginAndCall(demo: Demo): Promise<{ token: string; status: number }> {
  const login = await fetch(`${demo.idpUrl}/api/login`, {
    method: 'POST',
    headers: { authorization: demo.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ loginId: demo.loginId, password: demo.password, applicationId: demo.applicationId }),
  });
  assert.equal(login.status, 200);
  const { token } = (await login.json()) as { token: string };
  const call = await fetch(demo.gatewayUrl, { headers: { authorization: `Bearer ${token}` } });
  await call.body?.cancel();
  return { token, status: call.status };
}

test('--workers 2 runs the gateway as a cluster in a child process and stops it with the rest', async (t) => {
  const dataDir = tempDir(t);
  const up = spawnCli(['up', '--data-dir', dataDir, '--workers', '2', ...(await portArgs())]);
  try {
    await up.waitFor(READY, START_TIMEOUT_MS);
    const demo = readDemo(dataDir);
    assert.equal((await loginAndCall(demo)).status, 200);
    const denied = await fetch(demo.gatewayUrl);
    assert.equal(await denied.text(), 'Missing Authorization HTTP header');
    assert.equal(await up.stop('SIGTERM'), 0);
    await assert.rejects(fetch(demo.gatewayUrl), 'the gateway workers are gone');
    assert.match(readFileSync(join(dataDir, 'gatehouse.log'), 'utf8'), /gateway primary started 2 workers/);
  } finally {
    await up.stop('SIGKILL');
  }
});

test('--database postgres://… keeps the identity provider in PostgreSQL, reused on the next start', async (t) => {
  if (!(await requireTcpService(t, 'PostgreSQL', '127.0.0.1', 5432))) return;
  const schema = `gatehouse_up_e2e_${process.pid}`;
  const database = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  t.after(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  const dataDir = tempDir(t);
  const args = ['up', '--data-dir', dataDir, '--database', database, ...(await portArgs())];
  let up = spawnCli(args);
  try {
    await up.waitFor(READY, START_TIMEOUT_MS);
    assert.match(up.stdout(), /database: PostgreSQL \(--database\)/);
    const demo = readDemo(dataDir);
    const first = await loginAndCall(demo);
    assert.equal(first.status, 200);
    assert.equal(await up.stop('SIGINT'), 0);

    up = spawnCli(args);
    await up.waitFor(READY, START_TIMEOUT_MS);
    assert.match(up.stdout(), /reusing the data directory/);
    const again = await fetch(demo.gatewayUrl, { headers: { authorization: `Bearer ${first.token}` } });
    assert.equal(again.status, 200, 'the token from before the restart still works');
    assert.equal(await up.stop('SIGINT'), 0);
  } finally {
    await up.stop('SIGKILL');
  }
});

test('--host ::1 runs every part on IPv6 loopback, with URLs and issuer to match', async (t) => {
  const dataDir = tempDir(t);
  const up = spawnCli(['up', '--data-dir', dataDir, '--host', '::1', ...(await portArgs())]);
  try {
    await up.waitFor(READY, START_TIMEOUT_MS);
    const demo = readDemo(dataDir);
    assert.match(demo.gatewayUrl, /^http:\/\/\[::1\]:\d+$/);
    assert.equal(demo.issuer, demo.idpUrl);
    assert.ok(up.stdout().includes(`curl -X GET -I ${demo.gatewayUrl}`));
    assert.equal((await loginAndCall(demo)).status, 200);
    assert.doesNotMatch(up.stdout(), /LISTENING BEYOND LOCALHOST/);
    assert.equal(await up.stop('SIGINT'), 0);
  } finally {
    await up.stop('SIGKILL');
  }
});

test('a database that another data directory created is refused with a clear message', async (t) => {
  const first = tempDir(t);
  const up = spawnCli(['up', '--data-dir', first, ...(await portArgs())]);
  try {
    await up.waitFor(READY, START_TIMEOUT_MS);
  } finally {
    assert.equal(await up.stop('SIGTERM'), 0);
  }
  const second = tempDir(t);
  const result = spawnSync(process.execPath, [CLI, 'up', '--data-dir', second, '--database', join(first, 'idp.sqlite'), ...(await portArgs())], {
    encoding: 'utf8',
    timeout: START_TIMEOUT_MS,
  });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /the database was not created by this data directory.*\(ERR_UP_FOREIGN_DATABASE\)/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  const demo = readDemo(second);
  assert.ok(!result.stderr.includes(demo.apiKey) && !result.stderr.includes(demo.password), 'no secret in the message');
});

test('an emptied database is set up again from demo.json: same ids and credentials, new keys, and up says so', async (t) => {
  const dataDir = tempDir(t);
  const args = ['up', '--data-dir', dataDir, ...(await portArgs())];
  let up = spawnCli(args);
  try {
    await up.waitFor(READY, START_TIMEOUT_MS);
    assert.equal(await up.stop('SIGTERM'), 0);
    const demo = readDemo(dataDir);
    const pem = readFileSync(join(dataDir, 'pubkey.pem'), 'utf8');
    for (const name of readdirSync(dataDir)) if (name.startsWith('idp.sqlite')) rmSync(join(dataDir, name));

    up = spawnCli(args);
    await up.waitFor(READY, START_TIMEOUT_MS);
    assert.match(up.stdout(), /the database was empty: .* created again from demo\.json, with new signing keys/);
    const again = readDemo(dataDir);
    assert.deepEqual([again.applicationId, again.apiKey, again.password], [demo.applicationId, demo.apiKey, demo.password]);
    assert.notEqual(readFileSync(join(dataDir, 'pubkey.pem'), 'utf8'), pem, 'pubkey.pem follows the new key');
    assert.equal((await loginAndCall(again)).status, 200);
    assert.equal(await up.stop('SIGTERM'), 0);
  } finally {
    await up.stop('SIGKILL');
  }
});

test('Ctrl-C while the parts are still starting: up finishes starting, stops everything, exits 0', async (t) => {
  const dataDir = tempDir(t);
  const ports = await portArgs();
  const up = spawnCli(['up', '--data-dir', dataDir, ...ports]);
  try {
    // demo.json is written just before the identity provider starts
    for (let i = 0; i < 3000 && !existsSync(join(dataDir, 'demo.json')); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(existsSync(join(dataDir, 'demo.json')));
    up.child.kill('SIGINT');
    assert.equal(await up.exited(), 0);
    assert.match(up.stdout(), /Stopped\.\n$/);
    for (const port of [ports[1], ports[3], ports[5]]) await assert.rejects(fetch(`http://127.0.0.1:${port}/`), `nothing listens on ${port}`);
  } finally {
    await up.stop('SIGKILL');
  }
});

test('a damaged demo.json is refused, naming the file, before anything starts', async (t) => {
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, 'demo.json'), '{"issuer": "http://localhost:9011",');
  const result = spawnSync(process.execPath, [CLI, 'up', '--data-dir', dataDir, ...(await portArgs())], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /demo\.json: not valid JSON; fix it, or move the data directory away to start afresh \(ERR_UP_DEMO_STATE\)/);
});
