/**
 * The JWT forms of the Two Factor API (FusionAuth's "using a JWT"): a signed-in user, with only their
 * access token, gets a secret, enables a method, and disables it — no API key and no user id in the path.
 * A token alone cannot act on another user's id (that form needs an API key), and no token is 401.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appCode, startTwoFactorIdp } from './support.js';

test('a user enables and disables their own method with their access token', async (t) => {
  const fx = (await startTwoFactorIdp(t, 'sqlite'))!;
  try {
    const { idp, client, clock } = fx;
    const user = (await client.createUser(null as never, { user: { email: 'self@example.com', password: 'self password' } })).response.user!;
    const other = (await client.createUser(null as never, { user: { email: 'other@example.com', password: 'other password' } })).response.user!;
    const token = (await client.login({ loginId: 'self@example.com', password: 'self password' })).response.token!;
    const bearer = { authorization: `Bearer ${token}` };
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = bearer) =>
      fetch(`${idp.url}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

    assert.equal((await call('GET', '/api/two-factor/secret', undefined, {})).status, 401, 'no key, no token');
    const secret = (await (await call('GET', '/api/two-factor/secret')).json()) as { secretBase32Encoded: string };
    const enabled = await call('POST', '/api/user/two-factor', { method: 'authenticator', secretBase32Encoded: secret.secretBase32Encoded, code: await appCode(secret.secretBase32Encoded, clock) });
    assert.equal(enabled.status, 200);
    const { recoveryCodes } = (await enabled.json()) as { recoveryCodes: string[] };
    assert.equal(recoveryCodes.length, 10);
    assert.equal((await client.retrieveUser(user.id!)).response.user!.twoFactor!.methods!.length, 1, 'enabled on the token owner');

    assert.equal((await call('POST', `/api/user/two-factor/${other.id}`, { method: 'authenticator', secretBase32Encoded: secret.secretBase32Encoded, code: '123456' })).status, 401, 'a token cannot name another user');
    assert.equal((await call('POST', '/api/user/two-factor', { method: 'email', email: 'self@example.com', code: '123456' })).status, 400);

    const methodId = (await client.retrieveUser(user.id!)).response.user!.twoFactor!.methods![0]!.id!;
    assert.equal((await call('DELETE', `/api/user/two-factor?methodId=${methodId}&code=000000`)).status, 421);
    assert.equal((await call('DELETE', `/api/user/two-factor?methodId=${methodId}&code=${recoveryCodes[0]}`)).status, 200);
    assert.equal((await client.retrieveUser(user.id!)).response.user!.twoFactor, undefined);
  } finally {
    await fx.close();
  }
});
