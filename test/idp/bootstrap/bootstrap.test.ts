/**
 * First start: default tenant + a one-time admin key, or a kickstart file; an existing database skips
 * both. Kickstart problems and a busy port give clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { startIdp } from '../../../src/idp/index.js';
import { capturingLogger, tempDir } from '../support.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

test('a fresh database gets a default tenant and an admin key reported once; a restart keeps both and reports none', async () => {
  const dir = tempDir();
  const database = join(dir, 'idp.sqlite');
  const keys: string[] = [];
  const lines: string[] = [];
  try {
    const first = await startIdp({ port: 0, database, logger: capturingLogger(lines), onAdminKey: (k) => keys.push(k), issuer: 'https://first.example' });
    assert.equal(keys.length, 1);
    const tenants = (await (await fetch(`${first.url}/api/tenant`, { headers: { authorization: keys[0]! } })).json()) as { tenants: { name: string; issuer: string }[] };
    assert.deepEqual(tenants.tenants.map((t) => [t.name, t.issuer]), [['Default', 'https://first.example']]);
    await first.close();
    const second = await startIdp({ port: 0, database, logger: capturingLogger(lines), onAdminKey: (k) => keys.push(k), kickstart: { requests: [{ method: 'POST', url: '/api/tenant', body: { tenant: { name: 'Never' } } }] } });
    assert.equal(keys.length, 1, 'no second admin key');
    assert.equal(second.initialization.fresh, false);
    const again = (await (await fetch(`${second.url}/api/tenant`, { headers: { authorization: keys[0]! } })).json()) as { tenants: unknown[] };
    assert.equal(again.tenants.length, 1, 'the kickstart was skipped');
    await second.close();
    assert.ok(!lines.some((l) => l.includes(keys[0]!)), 'the admin key is never logged');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the admin key is printed once by the CLI', async () => {
  const dir = tempDir();
  try {
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, 'idp', '--port', '0', '--database', join(dir, 'idp.sqlite')], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        let stopped = false;
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          const url = /listening on (\S+)/.exec(stderr)?.[1];
          if (!stopped && url !== undefined) {
            stopped = true;
            // stop once it answers, as a user pressing Ctrl-C would
            void fetch(`${url}/.well-known/jwks.json`).then(() => child.kill('SIGTERM'), () => child.kill('SIGTERM'));
          }
        });
        child.once('exit', (code, signal) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code} ${signal}: ${stderr}`))));
      });
    assert.match(await run(), /shown only this once/);
    assert.doesNotMatch(await run(), /shown only this once/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kickstart variables, generated UUIDs, file bodies and the default tenant variable', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'user.json'), JSON.stringify({ user: { email: '#{email}', password: 'kick-password' } }));
  const kickstart = join(dir, 'kickstart.json');
  writeFileSync(
    kickstart,
    JSON.stringify({
      variables: { appId: '#{UUID()}', email: 'kick@example.com', key: 'kickstart-admin-key-0123456789' },
      apiKeys: [{ key: '#{key}', description: 'admin' }],
      requests: [
        { method: 'PATCH', url: '/api/tenant/#{FUSIONAUTH_TENANT_ID}', body: { tenant: { issuer: 'https://kick.example' } } },
        { method: 'POST', url: '/api/application/#{appId}', body: { application: { name: 'Kick #{appId}', jwtConfiguration: { enabled: true } } } },
        { method: 'POST', url: '/api/user', body: '@{user.json}' },
      ],
    }),
  );
  const idp = await startIdp({ port: 0, database: join(dir, 'idp.sqlite'), kickstart, logger: capturingLogger([]), onAdminKey: () => assert.fail('no admin key with a kickstart') });
  try {
    const headers = { authorization: 'kickstart-admin-key-0123456789' };
    const apps = (await (await fetch(`${idp.url}/api/application`, { headers })).json()) as { applications: { id: string; name: string; jwtConfiguration: { accessTokenKeyId: string } }[] };
    assert.equal(apps.applications.length, 1);
    assert.equal(apps.applications[0]!.name, `Kick ${apps.applications[0]!.id}`);
    assert.ok(apps.applications[0]!.jwtConfiguration.accessTokenKeyId);
    const tenant = (await (await fetch(`${idp.url}/api/tenant`, { headers })).json()) as { tenants: { issuer: string }[] };
    assert.equal(tenant.tenants[0]!.issuer, 'https://kick.example');
    assert.equal((await fetch(`${idp.url}/api/user?email=kick@example.com`, { headers })).status, 200);
  } finally {
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kickstart problems name the key path or the failing request', async () => {
  const cases: [object | string, RegExp][] = [
    [{ requests: [{ method: 'FETCH', url: '/api/tenant' }] }, /requests\[0\]\.method/],
    [{ requests: [{ method: 'POST', url: '/api/tenant', body: { tenant: { name: '#{missing}' } } }] }, /requests\[0\]\.body\.tenant\.name: unknown variable #\{missing\}/],
    [{ requests: [{ method: 'POST', url: '/api/tenant', body: { tenant: { name: 'ok' } } }, { method: 'POST', url: '/api/user', body: { user: { email: 'a@b.c' } } }] }, /requests\[1\] \(POST \/api\/user\) failed with HTTP 400: \[TenantIdRequired\]/],
    [{ apiKeys: [{ description: 'no key' }] }, /apiKeys\[0\]\.key/],
    [{ apiKeys: [{ key: 'some-key-0123456789', permissions: { endpoints: { '/api/login': 'POST' } } }] }, /apiKeys\[0\]\.permissions\.endpoints\["\/api\/login"\]: must be a list/],
    ['/nonexistent/kickstart.json', /cannot read \/nonexistent\/kickstart\.json/],
  ];
  for (const [kickstart, message] of cases) {
    const dir = tempDir();
    try {
      await assert.rejects(startIdp({ port: 0, database: join(dir, 'idp.sqlite'), kickstart, logger: capturingLogger([]) }), (error: unknown) => {
        assert.ok(isGatehouseError(error));
        assert.equal(error.code, 'ERR_IDP_KICKSTART');
        assert.match(error.message, message);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a port in use is a clear error naming the port, from the API and the CLI', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const dir = tempDir();
  try {
    await assert.rejects(startIdp({ port, database: join(dir, 'a.sqlite'), logger: capturingLogger([]), onAdminKey: () => undefined }), (error: unknown) => {
      assert.ok(isGatehouseError(error, 'ERR_PORT_IN_USE'));
      assert.match(error.message, new RegExp(`port ${port} .*already in use.*--port`));
      return true;
    });
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'idp', '--port', String(port), '--database', join(dir, 'b.sqlite')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.once('exit', (code) => resolve({ code, stderr }));
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gatehouse idp --help documents the flags; a bad flag exits 2', async () => {
  const runCli = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'idp', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => resolve({ code, out }));
    });
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  for (const flag of ['--port', '--host', '--database', '--kickstart', '--issuer']) assert.match(help.out, new RegExp(`  ${flag}\\b`));
  assert.match(help.out, /9011/);
  const bad = await runCli(['--prot', '1']);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /--prot/);
  const badPort = await runCli(['--port', 'http']);
  assert.equal(badPort.code, 1);
  assert.match(badPort.out, /--port must be a number/);
});

test('bad options are refused before anything starts, each named', async () => {
  await assert.rejects(startIdp({ database: '', port: 70_000, issuer: ' ' }), (error: unknown) => {
    assert.ok(isGatehouseError(error, 'ERR_CONFIG_INVALID'));
    assert.match(error.message, /database: /);
    assert.match(error.message, /port: must be a whole number from 0 to 65535, not 70000/);
    assert.match(error.message, /issuer: /);
    return true;
  });
});

test('an unreachable PostgreSQL is a clear error that does not repeat the password', async () => {
  await assert.rejects(startIdp({ database: 'postgres://gate:hunter2-secret@127.0.0.1:1/nowhere', logger: capturingLogger([]) }), (error: unknown) => {
    assert.ok(isGatehouseError(error, 'ERR_IDP_STORAGE'));
    assert.match(error.message, /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nowhere/);
    assert.doesNotMatch(error.message, /hunter2/);
    return true;
  });
  await assert.rejects(startIdp({ database: 'postgres://x@127.0.0.1:5432/test?schema=Bad-Name', logger: capturingLogger([]) }), /schema "Bad-Name"/);
});

test('a kickstart that failed part-way is not re-run over its own leftovers: a clear error says how to start again', async () => {
  const dir = tempDir();
  const database = join(dir, 'idp.sqlite');
  const apiKeys = [{ key: 'kickstart-key-0123456789abcdef', description: 'from kickstart' }];
  const broken = { apiKeys, requests: [{ method: 'POST', url: '/api/user', body: { user: { email: 'a@b.c' } } }] };
  const fixed = { apiKeys, requests: [{ method: 'POST', url: '/api/tenant', body: { tenant: { name: 'ok' } } }] };
  try {
    await assert.rejects(startIdp({ port: 0, database, kickstart: broken, logger: capturingLogger([]) }), /requests\[0\] \(POST \/api\/user\) failed/);
    await assert.rejects(startIdp({ port: 0, database, kickstart: fixed, logger: capturingLogger([]) }), (error: unknown) => {
      assert.ok(isGatehouseError(error));
      assert.equal(error.code, 'ERR_IDP_KICKSTART');
      assert.match(error.message, /holds 1 API key\(s\) from an earlier kickstart that failed part-way/);
      assert.match(error.message, /remove the SQLite file/);
      assert.doesNotMatch(error.message, /kickstart-key-0123456789abcdef/, 'the key value is never in a message');
      return true;
    });
    rmSync(dir, { recursive: true, force: true });
    const idp = await startIdp({ port: 0, database, kickstart: fixed, logger: capturingLogger([]) });
    await idp.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
