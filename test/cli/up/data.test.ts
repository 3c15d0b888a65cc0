import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dataPaths, ensureDataDir } from '../../../src/cli/up/data-dir.js';
import { generateDemoState, readDemoState, withUrls, writeDemoState } from '../../../src/cli/up/demo-state.js';
import { buildDemoKickstart } from '../../../src/cli/up/kickstart.js';
import { renderGatewayConfig, FORWARDED_CLAIMS } from '../../../src/cli/up/gateway-config.js';
import { renderWalkthrough } from '../../../src/cli/up/walkthrough.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { dialHost, publicHost } from '../../../src/cli/up/index.js';
import { parseGatewayConfig } from '../../../src/gateway/index.js';

const URLS = { idpUrl: 'http://localhost:9011', gatewayUrl: 'http://localhost:8080', echoUrl: 'http://localhost:9001' };

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-up-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the data directory is created owner-only, and a file in its place is refused', (t) => {
  const root = tempDir(t);
  const dir = join(root, 'nested', 'data');
  ensureDataDir(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  ensureDataDir(dir); // reused
  const file = join(root, 'plain-file');
  writeFileSync(file, 'x');
  assert.throws(() => ensureDataDir(file), (e: unknown) => isGatehouseError(e, 'ERR_UP_DATA_DIR') && /exists and is not a directory/.test(e.message));
});

test('the generated demo identity is random per data directory and the issuer is the identity provider URL', () => {
  const a = generateDemoState(URLS);
  const b = generateDemoState(URLS);
  assert.equal(a.issuer, 'http://localhost:9011');
  assert.equal(a.jwksUrl, 'http://localhost:9011/.well-known/jwks.json');
  assert.match(a.applicationId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a.applicationId, b.applicationId);
  assert.notEqual(a.apiKey, b.apiKey);
  assert.notEqual(a.password, b.password);
  assert.notEqual(a.apiKey, a.adminApiKey);
  assert.ok(a.apiKey.length >= 40);
});

test('demo.json round-trips, is owner-only, and keeps the identity when the URLs change', (t) => {
  const paths = dataPaths(tempDir(t));
  const state = generateDemoState(URLS);
  writeDemoState(paths.demo, state);
  assert.equal(statSync(paths.demo).mode & 0o777, 0o600);
  const json = JSON.parse(readFileSync(paths.demo, 'utf8')) as Record<string, unknown>;
  for (const field of ['issuer', 'applicationId', 'apiKey', 'loginId', 'password', 'gatewayUrl', 'idpUrl']) {
    assert.equal(typeof json[field], 'string', field);
  }
  assert.deepEqual(readDemoState(paths.demo), state);
  const moved = withUrls(state, { ...URLS, idpUrl: 'http://localhost:19011' });
  assert.equal(moved.issuer, state.issuer, 'the issuer is fixed at the first start');
  assert.equal(moved.jwksUrl, 'http://localhost:19011/.well-known/jwks.json');
});

test('a missing demo.json reads as a first start; a damaged one names the file and the field', (t) => {
  const paths = dataPaths(tempDir(t));
  assert.equal(readDemoState(paths.demo), undefined);
  writeFileSync(paths.demo, '{not json');
  assert.throws(() => readDemoState(paths.demo), (e: unknown) => isGatehouseError(e, 'ERR_UP_DEMO_STATE') && e.message.includes('demo.json: not valid JSON'));
  writeFileSync(paths.demo, JSON.stringify({ ...generateDemoState(URLS), apiKey: 42 }));
  assert.throws(() => readDemoState(paths.demo), /demo\.json: apiKey: expected a non-empty string/);
});

test('the kickstart creates what the seed creates by hand, from the persisted values', () => {
  const state = generateDemoState(URLS);
  const kickstart = buildDemoKickstart(state);
  assert.equal(kickstart.variables.issuer, state.issuer);
  assert.equal(kickstart.variables.applicationId, state.applicationId);
  assert.equal(kickstart.variables.password, state.password);
  assert.deepEqual(kickstart.apiKeys[1], {
    key: '#{apiKey}',
    description: 'Gatehouse demo: the seed key, POST /api/login only',
    permissions: { endpoints: { '/api/login': ['POST'] } },
  });
  const urls = kickstart.requests.map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(urls, ['PATCH /api/tenant/#{FUSIONAUTH_TENANT_ID}', 'POST /api/application/#{applicationId}', 'POST /api/user/registration/#{userId}']);
  const application = (kickstart.requests[1]!.body as { application: { jwtConfiguration: { enabled: boolean } } }).application;
  assert.equal(application.jwtConfiguration.enabled, true);
});

test('the gateway configs hold the seed policy with the real issuer and audience, keys from pubkey.pem or the JWKS', () => {
  const state = generateDemoState(URLS);
  const common = { state, host: '127.0.0.1', gatewayPort: 8080, echoAddress: '127.0.0.1:9001', workers: 1 as const, dataDirDisplay: './data' };
  const fileConfig = parseYaml(renderGatewayConfig({ ...common, keys: 'file' })) as Record<string, any>;
  assert.deepEqual(fileConfig.auth.seed.keys, { file: './pubkey.pem' });
  assert.equal(fileConfig.auth.seed.response, 'seed');
  assert.deepEqual(fileConfig.auth.seed.algorithms, ['RS256']);
  assert.equal(fileConfig.auth.seed.issuer, state.issuer);
  assert.equal(fileConfig.auth.seed.audience, state.applicationId);
  assert.deepEqual(fileConfig.auth.seed.forward.headers, FORWARDED_CLAIMS);
  assert.deepEqual(fileConfig.frontends.myfrontend, { bind: '127.0.0.1:8080', default_backend: 'webservers', auth: 'seed' });
  assert.equal(fileConfig.backends.webservers.servers.echo.address, '127.0.0.1:9001');
  assert.equal(fileConfig.workers, 1);
  const jwksConfig = parseYaml(renderGatewayConfig({ ...common, keys: 'jwks' })) as Record<string, any>;
  assert.deepEqual(jwksConfig.auth.seed.keys, { jwks: 'http://localhost:9011/.well-known/jwks.json' });
  // both pass the gateway's own validation (schema, auth policy schema, cross-references)
  const parsed = parseGatewayConfig(fileConfig, '/srv/data');
  assert.equal(parsed.frontends.myfrontend?.auth, 'seed');
  assert.equal(parsed.auth.seed?.response, 'seed');
  parseGatewayConfig(jwksConfig, '/srv/data');
  const auto = parseYaml(renderGatewayConfig({ ...common, workers: 'auto', keys: 'jwks' }));
  assert.equal(parseGatewayConfig(auto, '/srv/data').workers, 'auto');
  const ipv6 = parseYaml(renderGatewayConfig({ ...common, host: '::1', echoAddress: '[::1]:9001', keys: 'file' }));
  const parsedV6 = parseGatewayConfig(ipv6, '/srv/data');
  assert.deepEqual(parsedV6.frontends.myfrontend?.bind, { host: '::1', port: 8080 });
  assert.deepEqual(parsedV6.backends.webservers?.servers.echo?.address, { host: '::1', port: 9001 });
});

test('the walkthrough shows the seed\'s three commands with the real values', () => {
  const state = generateDemoState(URLS);
  const text = renderWalkthrough({
    state,
    database: './data/idp.sqlite',
    files: { demo: './data/demo.json', staticConfig: './data/gatehouse.yaml', publicKey: './data/pubkey.pem', log: './data/gatehouse.log' },
    start: 'first',
    exposed: false,
  });
  assert.ok(text.includes('curl -X GET -I http://localhost:8080\n'));
  assert.ok(text.includes("curl --location --request POST 'http://localhost:9011/api/login' \\\n"));
  assert.ok(text.includes(`--header 'Authorization: ${state.apiKey}' \\\n`));
  assert.ok(text.includes(`"loginId": "${state.loginId}"`));
  assert.ok(text.includes(`"password": "${state.password}"`));
  assert.ok(text.includes(`"applicationId": "${state.applicationId}"`));
  assert.ok(text.includes("curl -I http://localhost:8080 \\\n-H 'Authorization: Bearer <TOKEN>'"));
  assert.match(text, /Missing Authorization HTTP header/);
  assert.match(text, /development set-up/);
  assert.doesNotMatch(text, /LISTENING BEYOND LOCALHOST/);
  const exposed = renderWalkthrough({
    state,
    database: 'PostgreSQL (--database)',
    files: { demo: 'd', staticConfig: 's', publicKey: 'p', log: 'l' },
    start: 'reused',
    exposed: true,
  });
  assert.match(exposed, /DEVELOPMENT SET-UP LISTENING BEYOND LOCALHOST/);
  assert.match(exposed, /reusing the data directory/);
});

test('printed URLs say localhost for loopback and wildcard binds, as the seed does, and the address otherwise', () => {
  for (const host of ['127.0.0.1', '0.0.0.0', '::', 'localhost']) assert.equal(publicHost(host), 'localhost', host);
  assert.equal(publicHost('::1'), '[::1]');
  assert.equal(publicHost('192.168.1.20'), '192.168.1.20');
  assert.equal(publicHost('fd00::1'), '[fd00::1]');
});

test('up dials loopback for wildcard binds, and the bound address otherwise', () => {
  assert.equal(dialHost('0.0.0.0'), '127.0.0.1');
  assert.equal(dialHost('localhost'), '127.0.0.1');
  assert.equal(dialHost('::'), '[::1]');
  assert.equal(dialHost('::1'), '[::1]');
  assert.equal(dialHost('127.0.0.1'), '127.0.0.1');
});

test('after a first start that failed before its self-check, a fresh database is still a first start', async () => {
  const { startKind } = await import('../../../src/cli/up/index.js');
  const state = { issuer: 'http://localhost:9011' } as Parameters<typeof startKind>[0];
  assert.equal(startKind(undefined, true), 'first');
  assert.equal(startKind(state, true), 'first', 'never verified: no token was issued, none is lost');
  assert.equal(startKind({ ...state, verifiedAt: '2026-12-07T12:00:00.000Z' } as Parameters<typeof startKind>[0], true), 'recreated');
  assert.equal(startKind({ ...state, verifiedAt: '2026-12-07T12:00:00.000Z' } as Parameters<typeof startKind>[0], false), 'reused');
});
