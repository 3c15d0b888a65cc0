/** Policy config: validated once at build, every problem reported with its key path; defaults applied. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authPolicySchema, createAuthPolicy } from '../../../src/gateway/auth/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { AUDIENCE, ISSUER, rsaKey } from './support.js';

async function problems(config: unknown): Promise<string> {
  try {
    (await createAuthPolicy('fusionauth', config as never, { baseDir: '.' })).close();
  } catch (error) {
    assert.ok(isGatehouseError(error, 'ERR_CONFIG_INVALID'), String(error));
    return error.message;
  }
  return assert.fail('built');
}

test('the seed\'s policy is a few lines; defaults fill in the rest', () => {
  const parsed = authPolicySchema.parse({ issuer: ISSUER, audience: AUDIENCE, keys: { file: './pubkey.pem' } });
  assert.deepEqual(parsed.algorithms, ['RS256']);
  assert.equal(parsed.response, 'standards');
  assert.equal(parsed.clock_skew, 0);
  assert.equal(parsed.max_token_bytes, 8192);
  assert.deepEqual(parsed.issuer, [ISSUER]);
  assert.deepEqual(parsed.audience, [AUDIENCE]);
  assert.equal(parsed.key_cache.cooldown, 30_000);
  assert.deepEqual(parsed.forward, { headers: {}, unsafe_values: 'reject', strip_authorization: false });
  assert.deepEqual(authPolicySchema.parse(parsed), parsed, 'parsing the parsed config again changes nothing');
});

test('every problem carries its key path', async () => {
  const message = await problems({
    issuer: '',
    audience: [],
    algorithms: ['RS256', 'none'],
    keys: { file: 1, jwks: 'ftp://x' },
    clock_skew: 'soon',
    forward: { headers: { 'Bad Header': 'sub' } },
    unknown: true,
  });
  for (const expected of ['auth.fusionauth.issuer', 'auth.fusionauth.audience', 'auth.fusionauth.algorithms.1', 'auth.fusionauth.keys.file', 'auth.fusionauth.keys.jwks', 'auth.fusionauth.clock_skew', 'auth.fusionauth.forward.headers', 'auth.fusionauth']) {
    assert.ok(message.includes(`${expected}`), `${expected} in:\n${message}`);
  }
  assert.match(message, /unknown|Unrecognized/i);
});

test('key rules at load: HS needs a secret, a secret needs HS, keys must be given, min_age ≤ max_age', async () => {
  assert.match(await problems({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], keys: { jwk: rsaKey().publicJwk } }), /auth\.fusionauth\.algorithms: HS256\/384\/512 need keys\.secret/);
  assert.match(await problems({ issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk, secret: { env: 'X' } } }), /keys\.secret: a secret is only used with HS/);
  assert.match(await problems({ issuer: ISSUER, audience: AUDIENCE, keys: {} }), /auth\.fusionauth\.keys: give at least one/);
  assert.match(await problems({ issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, key_cache: { min_age: '1h', max_age: '1m' } }), /min_age must not exceed max_age/);
  assert.match(await problems({ issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, realm: 'a"b' }), /auth\.fusionauth\.realm/);
});
