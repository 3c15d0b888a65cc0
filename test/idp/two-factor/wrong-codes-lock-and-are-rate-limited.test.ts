/**
 * Guessing the second factor is bounded three ways: wrong codes count towards the tenant's lockout like
 * wrong passwords (and the password alone no longer clears that count), a `twoFactorId` dies after 5
 * wrong codes, and one address gets at most 20 code attempts a minute (429 with Retry-After).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appCode, enrolledUser, startTwoFactorIdp, statusOf } from './support.js';

test('wrong codes count towards the lockout; a right password in between does not clear the count', async (t) => {
  const fx = (await startTwoFactorIdp(t, 'sqlite'))!;
  try {
    const { client, idp } = fx;
    const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
    assert.equal((await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { failedAuthenticationConfiguration: { tooManyAttempts: 3 } } })).status, 200);
    const user = await enrolledUser(fx, 'lock@example.com');
    for (let i = 0; i < 2; i++) {
      const challenged = await client.login({ loginId: user.email, password: user.password });
      assert.equal(challenged.statusCode, 242, 'the password is right each time');
      assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: challenged.response.twoFactorId!, code: '111111' })), 421);
    }
    const last = await client.login({ loginId: user.email, password: user.password });
    assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: last.response.twoFactorId!, code: '222222' })), 423, 'the third wrong code locks the user');
    assert.equal(await statusOf(client.login({ loginId: user.email, password: user.password })), 423, 'locked: the password alone is refused too');
  } finally {
    await fx.close();
  }
});

test('a twoFactorId dies after 5 wrong codes, even before a right one', async (t) => {
  const fx = (await startTwoFactorIdp(t, 'sqlite'))!;
  try {
    const { client, idp } = fx;
    const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
    await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { failedAuthenticationConfiguration: { tooManyAttempts: 50 } } });
    const user = await enrolledUser(fx, 'cap@example.com');
    const challenged = await client.login({ loginId: user.email, password: user.password });
    for (let i = 0; i < 5; i++) assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: challenged.response.twoFactorId!, code: String(100000 + i) })), 421);
    const right = await appCode(user.secretBase32, fx.clock);
    assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: challenged.response.twoFactorId!, code: right })), 404, 'the twoFactorId is gone');
  } finally {
    await fx.close();
  }
});

test('one address gets 20 code attempts a minute, then 429 with Retry-After', async (t) => {
  const fx = (await startTwoFactorIdp(t, 'sqlite'))!;
  try {
    const post = () => fetch(`${fx.idp.url}/api/two-factor/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ twoFactorId: 'unknown', code: '123456' }) });
    for (let i = 0; i < 20; i++) assert.equal((await post()).status, 404);
    const limited = await post();
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    fx.clock.ms += 61_000;
    assert.equal((await post()).status, 404, 'a minute later the address may try again');
  } finally {
    await fx.close();
  }
});
