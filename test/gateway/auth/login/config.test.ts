/**
 * `login:` is validated at load with the key path of every problem: the schema (parseGatewayConfig) and
 * what only the policy build can check (secrets from env/file, cookie keys of 32 bytes, the IdP's
 * discovery document). Plus the rules for navigations and return paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthPolicy } from '../../../../src/gateway/auth/index.js';
import { isNavigation, safeReturnPath } from '../../../../src/gateway/auth/login/navigation.js';
import { parseCookieKeys } from '../../../../src/gateway/auth/login/sealed-cookie.js';
import { parseGatewayConfig } from '../../../../src/gateway/index.js';
import { startOAuthFixture } from '../../../idp/oauth/support.js';
import { cookieKey, secretEnv } from './support.js';

const POLICY = { issuer: 'http://127.0.0.1:9/', audience: 'app', keys: { discovery: true } };
const LOGIN = { client_id: 'app', client_secret: { env: 'X' }, redirect_uri: 'http://localhost:8080/_gatehouse/callback', cookie: { keys: { env: 'Y' } } };

function configWith(login: Record<string, unknown>): Record<string, unknown> {
  return {
    auth: { web: { ...POLICY, login } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'web' } },
    backends: { app: { servers: { a: { address: '127.0.0.1:9' } } } },
  };
}

function loadError(login: Record<string, unknown>): string {
  try {
    parseGatewayConfig(configWith(login), process.cwd());
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('accepted');
}

test('schema problems name their key path', () => {
  assert.doesNotThrow(() => parseGatewayConfig(configWith(LOGIN), process.cwd()));
  const { client_id: _, ...noClient } = LOGIN;
  assert.match(loadError(noClient), /auth\.web\.login\.client_id/);
  assert.match(loadError({ ...LOGIN, client_secret: 'inline-secret' }), /auth\.web\.login\.client_secret/);
  assert.match(loadError({ ...LOGIN, client_secret: { env: 'X', file: 'y' } }), /auth\.web\.login\.client_secret: give exactly one of env, file/);
  assert.match(loadError({ ...LOGIN, redirect_uri: '/callback' }), /auth\.web\.login\.redirect_uri: expected an http\(s\) URL/);
  assert.match(loadError({ ...LOGIN, logout_path: '//evil.example' }), /auth\.web\.login\.logout_path/);
  assert.match(loadError({ ...LOGIN, cookie: { keys: { env: 'Y' }, name: 'a;b' } }), /auth\.web\.login\.cookie\.name/);
  assert.match(loadError({ ...LOGIN, cookie: { keys: { env: 'Y' }, secure: 'yes' } }), /auth\.web\.login\.cookie\.secure/);
  assert.match(loadError({ ...LOGIN, refresh_before: 'soon' }), /auth\.web\.login\.refresh_before: expected a duration/);
  assert.match(loadError({ ...LOGIN, prompt: 'login' }), /auth\.web\.login.*prompt/);
  assert.match(loadError({ ...LOGIN, store: 'memory' }), /auth\.web\.login\.store/);
  assert.match(loadError({ ...LOGIN, store: { redis: { address: 'redis://x' } } }), /auth\.web\.login\.store\.redis\.address: expected host:port/);
});

test('secrets, cookie keys and discovery are checked when the policy is built', async () => {
  const fx = await startOAuthFixture();
  const idp = fx.idp;
  try {
    const build = (login: Record<string, unknown>) => createAuthPolicy('web', { issuer: idp.url, audience: 'app', keys: { discovery: true }, login: { ...LOGIN, ...login } }, { baseDir: process.cwd() });
    const fail = async (login: Record<string, unknown>, pattern: RegExp) => {
      await assert.rejects(build(login), (e: Error & { code?: string }) => {
        assert.match(e.message, pattern);
        assert.equal(e.code, 'ERR_CONFIG_INVALID');
        return true;
      });
    };
    const keys = secretEnv(`${cookieKey().toString('base64url')},${cookieKey().toString('base64url')}`);
    await fail({ client_secret: { env: 'GATEHOUSE_LOGIN_TEST_UNSET' }, cookie: { keys: { env: keys } } }, /auth\.web\.login\.client_secret\.env: environment variable GATEHOUSE_LOGIN_TEST_UNSET is not set/);
    await fail({ client_secret: { env: secretEnv('s3cret') }, cookie: { keys: { env: secretEnv('c2hvcnQ') } } }, /auth\.web\.login\.cookie\.keys: key 1 decodes to 5 bytes, not 32/);
    await fail({ client_secret: { env: secretEnv('s3cret') }, cookie: { keys: { env: keys } }, issuer: 'http://127.0.0.1:9' }, /auth\.web\.login\.issuer: http:\/\/127\.0\.0\.1:9 is not one of the policy's issuers/);
    await assert.rejects(
      createAuthPolicy('web', { issuer: [idp.url, 'http://127.0.0.1:9'], audience: 'app', keys: { discovery: idp.url }, login: { ...LOGIN, client_secret: { env: secretEnv('s3cret') }, cookie: { keys: { env: keys } }, issuer: 'http://127.0.0.1:9' } }, { baseDir: process.cwd() }),
      /auth\.web\.login\.issuer: discovery: request failed/,
    );
    await fail({ client_secret: { env: secretEnv('s3cret') }, cookie: { keys: { env: keys } }, logout_path: '/_gatehouse/callback' }, /auth\.web\.login\.logout_path: must differ/);
    await fail({ client_secret: { env: secretEnv('s3cret') }, cookie: { keys: { env: keys } }, store: { redis: { address: '127.0.0.1:1' } } }, /auth\.web\.login\.store\.redis: cannot connect to 127\.0\.0\.1:1/);
    const policy = await build({ client_secret: { env: secretEnv('s3cret') }, cookie: { keys: { env: keys } } });
    policy.close();
  } finally {
    await fx.close();
  }
});

test('cookie keys: base64url or base64, 32 bytes, separated by commas or whitespace', () => {
  const a = cookieKey();
  const b = cookieKey();
  assert.deepEqual(parseCookieKeys(`${a.toString('base64url')},\n ${b.toString('base64')}`), [a, b]);
  assert.equal(parseCookieKeys(' , '), 'no key given');
  assert.equal(parseCookieKeys('not*base64'), 'key 1 is not base64url');
});

test('navigations: GET/HEAD asking for HTML, no fetch/XHR markers', () => {
  assert.equal(isNavigation('GET', { accept: 'text/html', 'sec-fetch-mode': 'navigate' }), true);
  assert.equal(isNavigation('HEAD', { accept: 'text/html' }), true);
  assert.equal(isNavigation('POST', { accept: 'text/html', 'sec-fetch-mode': 'navigate' }), false);
  assert.equal(isNavigation('GET', { accept: 'application/json' }), false);
  assert.equal(isNavigation('GET', {}), false);
  assert.equal(isNavigation('GET', { accept: 'text/html', 'sec-fetch-mode': 'no-cors' }), false);
  assert.equal(isNavigation('GET', { accept: 'text/html', 'x-requested-with': 'XMLHttpRequest' }), false);
});

test('return paths: same-origin and relative, anything else is /', () => {
  assert.equal(safeReturnPath('/orders/7?view=full'), '/orders/7?view=full');
  for (const bad of ['//evil.example/', '/\\evil.example/', 'https://evil.example/', 'evil', '/a\\b', '/a\r\nLocation: x', undefined]) assert.equal(safeReturnPath(bad), '/', String(bad));
});
