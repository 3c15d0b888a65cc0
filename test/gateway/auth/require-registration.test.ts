/**
 * `require_registration`: FusionAuth signs a token for an application even for a user not registered to it
 * (login 202), but only a registered user's token has `applicationId` (= its `aud`) and `roles`. With the
 * option on, a token without them is denied (REGISTRATION, ERR_JWT_NOT_REGISTERED): 403 in both modes,
 * after every seed check; without it, such a token passes as in the seed. The option is validated at load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthPolicy } from '../../../src/gateway/auth/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { AUDIENCE, asDeny, decide, newRsaKey, policy, reasonOf, rsaKey, token, validClaims } from './support.js';

const registered = (extra: Record<string, unknown> = {}) => validClaims({ applicationId: AUDIENCE, roles: ['user'], ...extra });
/** What FusionAuth's login answers with 202: the same token without applicationId and roles. */
const unregistered = () => validClaims();

test('config: require_registration is a boolean, with its key path when it is not; off by default', async () => {
  for (const value of ['yes', 1, null, []]) {
    await assert.rejects(
      createAuthPolicy('fusionauth', { issuer: 'https://i', audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, require_registration: value } as never, { baseDir: '.' }),
      (error: Error) => isGatehouseError(error, 'ERR_CONFIG_INVALID') && /^auth\.fusionauth\.require_registration: /m.test(error.message),
      JSON.stringify(value),
    );
  }
  const off = await policy();
  assert.equal(await reasonOf(off, token({ claims: unregistered() })), 'OK', 'the seed\'s behaviour unless asked');
  off.close();
});

test('standards mode: an unregistered user\'s token is 403 insufficient_scope with its own reason and code', async (t) => {
  const p = await policy({ require_registration: true });
  t.after(() => p.close());
  assert.equal(await reasonOf(p, token({ claims: registered() })), 'OK');
  assert.equal(await reasonOf(p, token({ claims: registered({ roles: [] }) })), 'OK', 'a registration without roles has roles: []');
  const deny = asDeny(await decide(p, `Bearer ${token({ claims: unregistered() })}`));
  assert.equal(deny.status, 403);
  assert.equal(deny.reason, 'REGISTRATION');
  assert.equal(deny.code, 'ERR_JWT_NOT_REGISTERED');
  assert.equal(deny.headers['www-authenticate'], 'Bearer error="insufficient_scope", error_description="The user is not registered to the application"');
  assert.deepEqual(JSON.parse(deny.body), { error: 'insufficient_scope', error_description: 'The user is not registered to the application' });
});

test('which claims prove a registration: applicationId is the token\'s aud and a policy audience, roles an array', async (t) => {
  const other = '11111111-2222-3333-4444-555555555555';
  const p = await policy({ require_registration: true, audience: [AUDIENCE, other] });
  t.after(() => p.close());
  const cases: [string, Record<string, unknown>, string][] = [
    ['registered', registered(), 'OK'],
    ['aud as an array holding the application', registered({ aud: [AUDIENCE, 'x'] }), 'OK'],
    ['no applicationId', validClaims({ roles: ['user'] }), 'REGISTRATION'],
    ['no roles', validClaims({ applicationId: AUDIENCE }), 'REGISTRATION'],
    ['roles not an array', registered({ roles: 'user' }), 'REGISTRATION'],
    ['applicationId not a string', registered({ applicationId: [AUDIENCE] }), 'REGISTRATION'],
    ['registered to another accepted audience than the token is for', registered({ applicationId: other }), 'REGISTRATION'],
    ['applicationId not a policy audience', registered({ aud: [AUDIENCE, 'x'], applicationId: 'x' }), 'REGISTRATION'],
    ['applicationId with another case', registered({ applicationId: AUDIENCE.toUpperCase() }), 'REGISTRATION'],
  ];
  for (const [what, claims, expected] of cases) assert.equal(await reasonOf(p, token({ claims })), expected, what);
});

test('seed mode: 403 text/html with its own body, after the seed\'s six checks', async (t) => {
  const p = await policy({ require_registration: true, response: 'seed' });
  t.after(() => p.close());
  const body = async (claims: Record<string, unknown>, key = rsaKey().privateKey) => {
    const d = await decide(p, `Bearer ${token({ claims, key })}`);
    if (d.ok) return 'OK';
    assert.equal(d.status, 403);
    assert.equal(d.headers['content-type'], 'text/html');
    return d.body;
  };
  assert.equal(await body(registered()), 'OK');
  assert.equal(await body(unregistered()), 'User is not registered to the JWT audience application');
  assert.equal(await body(validClaims({ aud: 'other' })), 'Invalid JWT audience', 'the seed\'s checks answer first');
  assert.equal(await body(unregistered(), newRsaKey().privateKey), 'Invalid JWT signature');
  assert.equal(await body(validClaims({ exp: 1 })), 'JWT has expired');
  // the denial is remembered for the same token bytes, and still answers the same
  const tok = token({ claims: unregistered() });
  for (let i = 0; i < 3; i++) assert.equal(asDeny(await decide(p, `Bearer ${tok}`)).reason, 'REGISTRATION');
});
