/**
 * `token_from` and `allowed_origins` are validated at load with the key path of each problem: a source
 * listed twice, a cookie without allowed_origins (no CSRF defence), origins with a path, an unknown
 * source, allowed_origins without a cookie source; and `revocation:` needs `redis:`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatewayConfig } from '../../../../src/gateway/index.js';
import { testPolicyConfig } from '../support.js';

function problems(policy: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  try {
    parseGatewayConfig({ ...top, auth: { web: { ...testPolicyConfig(), ...policy } }, frontends: { f: { bind: '127.0.0.1:0', auth: 'web', default_backend: 'b' } }, backends: { b: { servers: { a: { address: '127.0.0.1:1' } } } } }, process.cwd());
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

test('token_from: the shapes that load, and each mistake named by its key path', () => {
  assert.equal(problems({ token_from: ['header', { cookie: 'app.at' }], allowed_origins: ['https://app.example.com'] }), '');
  assert.equal(problems({ token_from: ['header'] }), '');
  assert.match(problems({ token_from: [{ cookie: 'app.at' }] }), /auth\.web\.allowed_origins: a cookie in token_from needs allowed_origins/);
  assert.match(problems({ token_from: ['header', 'header'] }), /auth\.web\.token_from\[1\]: header is listed twice/);
  assert.match(problems({ token_from: ['query'] }), /auth\.web\.token_from\[0\]: expected header or \{ cookie: <name> \}/);
  assert.match(problems({ token_from: [{ cookie: 'bad name' }], allowed_origins: ['https://a.example'] }), /auth\.web\.token_from\[0\]/);
  assert.match(problems({ token_from: [] }), /auth\.web\.token_from/);
  assert.match(problems({ token_from: [{ cookie: 'app.at' }], allowed_origins: ['https://app.example.com/'] }), /auth\.web\.allowed_origins\[0\]: expected an origin/);
  assert.match(problems({ token_from: [{ cookie: 'app.at' }], allowed_origins: ['app.example.com'] }), /auth\.web\.allowed_origins\[0\]: expected an origin/);
  assert.match(problems({ allowed_origins: ['https://app.example.com'] }), /auth\.web\.allowed_origins: only used with a cookie/);
});

test('revocation: needs a redis: section; a policy may opt out with revocation: false', () => {
  assert.match(problems({}, { revocation: {} }), /revocation: the feed is read from Redis; add a redis: section/);
  assert.equal(problems({ revocation: false }, { revocation: { on_unavailable: 'deny' }, redis: { address: '127.0.0.1:6379' } }), '');
  assert.match(problems({}, { revocation: { on_unavailable: 'maybe' }, redis: { address: '127.0.0.1:6379' } }), /revocation\.on_unavailable: expected allow or deny/);
});
