/**
 * The seed's walkthrough, end to end, against `npm start` (= `node dist/src/cli/main.js up`) run as a user
 * would: a child process on real ports with a fresh data directory. Every curl of the seed is run with the
 * real curl, pasted from what `up` printed; then tokens the seed's HAProxy rules refuse (another audience,
 * another issuer, past exp, forged signature, alg none) get the seed's exact 403 bodies; a second start on
 * the same data directory still accepts the first token; and the static-key gatehouse.yaml runs alone.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, type CliProcess } from '../cli/cli-process.js';
import { findExecutable, IN_CI, requireExecutable } from '../support/services.js';
import { adminApi, decodePart, foreignSigner, freePorts, headerValue, noneToken, readDemo, READY, shell, START_TIMEOUT_MS, statusLine, type AdminApi, type Demo } from './support.js';

// The seed's commands run with the real curl. Without it, the whole walkthrough is skipped loudly on a
// user's machine (the first test then reports why) and fails in CI.
const CURL_MISSING = findExecutable('curl') === undefined && !IN_CI;
if (CURL_MISSING) console.warn('\n!!! SKIPPED: the seed walkthrough needs curl; install it to run this test !!!\n');

describe('the seed walkthrough against gatehouse up', { skip: CURL_MISSING ? 'curl is not installed' : false }, () => {
  let dataDir: string;
  let ports: { gateway: number; idp: number; echo: number };
  let up: CliProcess | undefined;
  let demo: Demo;
  let admin: AdminApi;
  let printed: string;
  let token: string;

  const upArgs = () => ['up', '--data-dir', dataDir, '--gateway-port', String(ports.gateway), '--idp-port', String(ports.idp), '--echo-port', String(ports.echo)];

  /** What the gateway answers, with fetch, for a given Authorization header. */
  async function gatewayAnswer(authorization?: string): Promise<{ status: number; type: string | null; body: string }> {
    const response = await fetch(demo.gatewayUrl, authorization === undefined ? {} : { headers: { authorization } });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  }

  async function assertSeedDenial(authorization: string, body: string): Promise<void> {
    const answer = await gatewayAnswer(authorization);
    assert.deepEqual(answer, { status: 403, type: 'text/html', body });
  }

  async function login(applicationId: string): Promise<{ status: number; token: string }> {
    const response = await fetch(`${demo.idpUrl}/api/login`, {
      method: 'POST',
      headers: { authorization: demo.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ loginId: demo.loginId, password: demo.password, applicationId, noJWT: false }),
    });
    const json = (await response.json()) as { token: string };
    return { status: response.status, token: json.token };
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
    const [gateway, idp, echo] = (await freePorts(3)) as [number, number, number];
    ports = { gateway, idp, echo };
  });

  after(async () => {
    await up?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('npm start brings everything up on a fresh data directory and prints the walkthrough', async (t) => {
    if (requireExecutable(t, 'curl') === false) return;
    up = spawnCli(upArgs());
    await up.waitFor(READY, START_TIMEOUT_MS);
    printed = up.stdout();
    demo = readDemo(dataDir);
    admin = adminApi(demo.idpUrl, demo.adminApiKey);
    assert.equal(demo.idpUrl, `http://localhost:${ports.idp}`);
    assert.equal(demo.issuer, demo.idpUrl, 'the tenant issuer is the identity provider URL');
    assert.equal(demo.gatewayUrl, `http://localhost:${ports.gateway}`);
    for (const value of [demo.apiKey, demo.password, demo.applicationId, demo.loginId]) assert.ok(printed.includes(value));
    assert.match(printed, /first start/);
    const tenant = await admin.request('GET', '/api/tenant');
    assert.equal(tenant.status, 200);
    assert.deepEqual(tenant.json.tenants.map((x: { issuer: string }) => x.issuer), [demo.issuer]);
    const application = await admin.request('GET', `/api/application/${demo.applicationId}`);
    assert.equal(application.status, 200);
    assert.equal(application.json.application.jwtConfiguration.enabled, true);
    const key = await admin.request('GET', `/api/key/${application.json.application.jwtConfiguration.accessTokenKeyId}`);
    assert.equal(key.json.key.algorithm, 'RS256');
    assert.equal(readFileSync(join(dataDir, 'pubkey.pem'), 'utf8').trim(), key.json.key.publicKey.trim(), 'pubkey.pem is the application key');
    const loginKeyOnly = await adminApi(demo.idpUrl, demo.apiKey).request('GET', `/api/application/${demo.applicationId}`);
    assert.equal(loginKeyOnly.status, 401, 'the seed key may POST /api/login and nothing else');
  });

  test('seed "Test HAProxy setup": curl -X GET -I on the service itself → HTTP/1.1 200 OK', async () => {
    const result = await shell(`curl -X GET -I ${readDemo(dataDir).echoUrl}`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statusLine(result.stdout), 'HTTP/1.1 200 OK');
  });

  test('seed step 1: curl -X GET -I without a token → HTTP/1.1 403 Forbidden; without -I → Missing Authorization HTTP header', async () => {
    const command = /^curl -X GET -I \S+$/m.exec(printed)?.[0];
    assert.ok(command, 'printed');
    const headOnly = await shell(command);
    assert.equal(headOnly.code, 0, headOnly.stderr);
    assert.equal(statusLine(headOnly.stdout), 'HTTP/1.1 403 Forbidden');
    assert.equal(headerValue(headOnly.stdout, 'content-type'), 'text/html');
    const withBody = await shell(command.replace(' -I ', ' '));
    assert.equal(withBody.stdout, 'Missing Authorization HTTP header');
  });

  test('seed step 2: the printed POST /api/login curl answers 200 with a token as the seed shows', async () => {
    const command = /^curl --location --request POST [\s\S]*?\n {2}\}'$/m.exec(printed)?.[0];
    assert.ok(command, 'printed');
    const result = await shell(`${command} --silent --include`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statusLine(result.stdout), 'HTTP/1.1 200 OK');
    const body = JSON.parse(result.stdout.slice(result.stdout.indexOf('\r\n\r\n') + 4)) as { token: string; tokenExpirationInstant: number; user: Record<string, unknown> };
    token = body.token;
    const header = decodePart(token, 0);
    const claims = decodePart(token, 1);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'JWT');
    assert.equal(claims.iss, demo.issuer);
    assert.equal(claims.aud, demo.applicationId);
    assert.equal(claims.sub, demo.userId);
    // as in the seed's answer (exp 1673366204, tokenExpirationInstant 1673366204805): the same instant in ms
    assert.equal(Math.floor(body.tokenExpirationInstant / 1000), claims.exp);
    assert.equal(body.user.email, demo.loginId);
    assert.equal('password' in body.user, false);
  });

  test('seed step 3: curl -I with the bearer token → HTTP/1.1 200 OK, and the echo shows the forwarded claims', async () => {
    const command = /^curl -I \S+ \\\n-H 'Authorization: Bearer <TOKEN>'$/m.exec(printed)?.[0];
    assert.ok(command, 'printed');
    const result = await shell(command.replace('<TOKEN>', token));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statusLine(result.stdout), 'HTTP/1.1 200 OK');
    const echoed = await shell(`curl -s '${demo.gatewayUrl}/hello?format=json' -H 'Authorization: Bearer ${token}'`);
    const seen = JSON.parse(echoed.stdout) as { path: string; claims: Record<string, string> };
    assert.equal(seen.path, '/hello');
    assert.equal(seen.claims['x-user-id'], demo.userId);
    // a client cannot pass its own claim header along: the gateway drops it and sets the token's value
    const spoofed = await shell(`curl -s '${demo.gatewayUrl}/hello?format=json' -H 'X-User-Id: someone-else' -H 'X-User-Roles: admin' -H 'Authorization: Bearer ${token}'`);
    const spoofedSeen = JSON.parse(spoofed.stdout) as { claims: Record<string, string> };
    assert.equal(spoofedSeen.claims['x-user-id'], demo.userId);
    assert.equal(spoofedSeen.claims['x-user-roles'], 'user');
  });

  test('the printed one-liner (login, then call with $TOKEN) works as pasted', async () => {
    const snippet = /^TOKEN=\$\(curl [\s\S]*?\ncurl .+$/m.exec(printed)?.[0];
    assert.ok(snippet, 'printed');
    const result = await shell(snippet);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^echo service "echo" received:/);
    assert.match(result.stdout, /x-user-id: [0-9a-f-]{36}/);
  });

  test('a token for another audience → 403 Invalid JWT audience', async () => {
    const other = await admin.request('POST', '/api/application', {
      application: { name: 'Another application', jwtConfiguration: { enabled: true, timeToLiveInSeconds: 3600, refreshTokenTimeToLiveInMinutes: 60 } },
    });
    assert.equal(other.status, 200);
    const otherId = other.json.application.id as string;
    const registered = await admin.request('POST', `/api/user/registration/${demo.userId}`, { registration: { applicationId: otherId } });
    assert.equal(registered.status, 200);
    const { status, token: otherToken } = await login(otherId);
    assert.equal(status, 200);
    assert.equal(decodePart(otherToken, 1).aud, otherId);
    assert.equal(decodePart(otherToken, 1).iss, demo.issuer);
    await assertSeedDenial(`Bearer ${otherToken}`, 'Invalid JWT audience');
  });

  test('stricter than the seed: a user not registered to the application gets a token (202) the gateway refuses; once registered, admitted', async () => {
    const email = 'unregistered@example.com';
    const password = 'unregistered-password-1';
    const created = await admin.request('POST', '/api/user', { user: { email, password }, skipVerification: true });
    assert.equal(created.status, 200);
    const userId = created.json.user.id as string;
    const loginAs = () =>
      shell(`curl -s -i --request POST '${demo.idpUrl}/api/login' --header 'Authorization: ${demo.apiKey}' --header 'Content-Type: application/json' --data-raw '{"loginId": "${email}", "password": "${password}", "applicationId": "${demo.applicationId}"}'`);
    const before = await loginAs();
    assert.equal(statusLine(before.stdout), 'HTTP/1.1 202 Accepted', 'FusionAuth\u2019s answer for a user without a registration');
    const unregistered = (JSON.parse(before.stdout.slice(before.stdout.indexOf('\r\n\r\n') + 4)) as { token: string }).token;
    const claims = decodePart(unregistered, 1);
    assert.equal(claims.aud, demo.applicationId, 'a token for the application all the same');
    assert.equal(claims.iss, demo.issuer);
    assert.equal('applicationId' in claims || 'roles' in claims, false, 'without the registration claims');
    await assertSeedDenial(`Bearer ${unregistered}`, 'User is not registered to the JWT audience application');
    const registered = await admin.request('POST', `/api/user/registration/${userId}`, { registration: { applicationId: demo.applicationId } });
    assert.equal(registered.status, 200);
    const after = await loginAs();
    assert.equal(statusLine(after.stdout), 'HTTP/1.1 200 OK');
    const admitted = (JSON.parse(after.stdout.slice(after.stdout.indexOf('\r\n\r\n') + 4)) as { token: string }).token;
    assert.equal(decodePart(admitted, 1).applicationId, demo.applicationId);
    assert.equal((await gatewayAnswer(`Bearer ${admitted}`)).status, 200);
    assert.deepEqual(await gatewayAnswer(`Bearer ${unregistered}`), { status: 403, type: 'text/html', body: 'User is not registered to the JWT audience application' }, 'the earlier token still proves no registration');
    assert.equal((await admin.request('DELETE', `/api/user/${userId}?hardDelete=true`)).status, 200);
  });

  test('a validly signed token from another issuer (a second tenant of the same identity provider) → 403 Invalid JWT issuer', async () => {
    const created = await admin.request('POST', '/api/tenant', { tenant: { name: 'Another tenant', issuer: 'https://other.example' } });
    assert.equal(created.status, 200);
    const tenantId = created.json.tenant.id as string;
    try {
      const application = await admin.request(
        'POST',
        '/api/application',
        { application: { name: 'Same audience, other issuer', jwtConfiguration: { enabled: true, timeToLiveInSeconds: 3600, refreshTokenTimeToLiveInMinutes: 60 } } },
        tenantId,
      );
      assert.equal(application.status, 200);
      const otherApp = application.json.application.id as string;
      const user = await admin.request(
        'POST',
        '/api/user/registration',
        { user: { email: 'other@example.com', password: 'other-password-123' }, registration: { applicationId: otherApp } },
        tenantId,
      );
      assert.equal(user.status, 200);
      const login = await admin.request('POST', '/api/login', { loginId: 'other@example.com', password: 'other-password-123', applicationId: otherApp }, tenantId);
      assert.equal(login.status, 200);
      const foreign = login.json.token as string;
      assert.equal(decodePart(foreign, 1).iss, 'https://other.example');
      await assertSeedDenial(`Bearer ${foreign}`, 'Invalid JWT issuer');
      // the same identity provider signed it: its key is in the JWKS the gateway trusts
      const jwks = (await (await fetch(`${demo.idpUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      assert.ok(jwks.keys.some((k) => k.kid === decodePart(foreign, 0).kid));
      await admin.request('DELETE', `/api/application/${otherApp}?hardDelete=true`, undefined, tenantId);
    } finally {
      const deleted = await admin.request('DELETE', `/api/tenant/${tenantId}`);
      assert.equal(deleted.status, 200);
    }
  });

  test('a token from another issuer → 403 Invalid JWT issuer (checked before the signature, as the seed does)', async () => {
    const sign = await foreignSigner();
    const claims = { ...decodePart(token, 1), iss: 'https://evil.example' };
    await assertSeedDenial(`Bearer ${await sign({ typ: 'JWT', kid: decodePart(token, 0).kid }, claims)}`, 'Invalid JWT issuer');
    const trailingSlash = { ...decodePart(token, 1), iss: `${demo.issuer}/` };
    await assertSeedDenial(`Bearer ${await sign({ typ: 'JWT' }, trailingSlash)}`, 'Invalid JWT issuer');
  });

  test('a forged signature → 403 Invalid JWT signature (foreign key, and a payload edited under the real signature)', async () => {
    const sign = await foreignSigner();
    await assertSeedDenial(`Bearer ${await sign(decodePart(token, 0), decodePart(token, 1))}`, 'Invalid JWT signature');
    const [header, , signature] = token.split('.');
    const edited = Buffer.from(JSON.stringify({ ...decodePart(token, 1), roles: ['admin'] })).toString('base64url');
    await assertSeedDenial(`Bearer ${header}.${edited}.${signature}`, 'Invalid JWT signature');
  });

  test('alg none → 403 Unsupported JWT signing algorithm', async () => {
    await assertSeedDenial(`Bearer ${noneToken(decodePart(token, 1))}`, 'Unsupported JWT signing algorithm');
  });

  test('a validly signed token past its exp → 403 JWT has expired', async () => {
    const shortLived = await admin.request('PATCH', `/api/application/${demo.applicationId}`, { application: { jwtConfiguration: { timeToLiveInSeconds: 1 } } });
    assert.equal(shortLived.status, 200);
    try {
      const { status, token: expiring } = await login(demo.applicationId);
      assert.equal(status, 200);
      const exp = decodePart(expiring, 1).exp as number;
      assert.ok(exp - Date.now() / 1000 <= 2, 'the short time-to-live applies');
      // Wait for the token's own expiry (about a second), not for a fixed time.
      while (Date.now() < exp * 1000 + 100) await new Promise((resolve) => setTimeout(resolve, exp * 1000 + 100 - Date.now()));
      await assertSeedDenial(`Bearer ${expiring}`, 'JWT has expired');
    } finally {
      const restored = await admin.request('PATCH', `/api/application/${demo.applicationId}`, { application: { jwtConfiguration: { timeToLiveInSeconds: 3600 } } });
      assert.equal(restored.status, 200);
    }
  });

  test('the seed\'s other answers, as HAProxy gives them: an empty Authorization header, a non-Bearer one, garbage', async () => {
    await assertSeedDenial('', 'Unsupported JWT signing algorithm');
    await assertSeedDenial(`Basic ${Buffer.from(`${demo.loginId}:${demo.password}`).toString('base64')}`, 'Unsupported JWT signing algorithm');
    await assertSeedDenial('Bearer not.a.jwt', 'Unsupported JWT signing algorithm');
    assert.equal((await gatewayAnswer(`Bearer ${token}`)).status, 200, 'the good token still passes');
  });

  test('Ctrl-C stops everything cleanly', async () => {
    assert.ok(up);
    assert.equal(await up.stop('SIGINT'), 0);
    assert.match(up.stdout(), /Stopped\.\n$/);
    for (const port of [ports.gateway, ports.idp, ports.echo]) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'nothing listens after the stop');
    }
  });

  test('the log of all three parts holds no token, password or API key', () => {
    const log = readFileSync(join(dataDir, 'gatehouse.log'), 'utf8');
    assert.ok(log.split('\n').length > 10, 'the parts did log');
    for (const [what, secret] of [
      ['the seed API key', demo.apiKey],
      ['the admin API key', demo.adminApiKey],
      ['the demo password', demo.password],
      ['the token', token],
      ['the token signature', token.split('.')[2]!],
    ] as const) {
      assert.ok(!log.includes(secret), `${what} is not in gatehouse.log`);
    }
  });

  test('a second start reuses the data directory: same tenant, application, keys, user; the earlier token still works', async () => {
    const pem = readFileSync(join(dataDir, 'pubkey.pem'), 'utf8');
    up = spawnCli(upArgs());
    await up.waitFor(READY, START_TIMEOUT_MS);
    assert.match(up.stdout(), /reusing the data directory/);
    const again = readDemo(dataDir);
    for (const field of ['issuer', 'applicationId', 'apiKey', 'loginId', 'password', 'userId'] as const) assert.equal(again[field], demo[field], field);
    assert.equal(readFileSync(join(dataDir, 'pubkey.pem'), 'utf8'), pem);
    const tenants = await admin.request('GET', '/api/tenant');
    assert.equal(tenants.json.tenants.length, 1);
    const result = await shell(`curl -s -o /dev/null -w '%{http_code}' ${demo.gatewayUrl} -H 'Authorization: Bearer ${token}'`);
    assert.equal(result.stdout, '200');
    assert.equal(await up.stop('SIGTERM'), 0, 'SIGTERM stops cleanly too');
  });

  test('the static-key set-up runs alone: gatehouse echo + gatehouse gateway --config <data>/gatehouse.yaml', async () => {
    const echo = spawnCli(['echo', '--port', String(ports.echo)]);
    const gateway = spawnCli(['gateway', '--config', join(dataDir, 'gatehouse.yaml')]);
    try {
      await echo.waitFor(/listening on/);
      let status = 0;
      for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
        status = await fetch(demo.gatewayUrl, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status, () => 0);
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(status, 200, `the gateway with pubkey.pem accepts the token\n${gateway.stderr()}`);
      assert.deepEqual(await gatewayAnswer(), { status: 403, type: 'text/html', body: 'Missing Authorization HTTP header' });
    } finally {
      await gateway.stop('SIGTERM');
      await echo.stop('SIGTERM');
    }
  });
});
