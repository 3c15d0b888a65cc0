/**
 * Two-factor with the authenticator method through FusionAuth's API and the real
 * `@fusionauth/typescript-client`, on SQLite and PostgreSQL: the secret, enabling with a code made by
 * otplib (as an authenticator app makes it), recovery codes on the first method only, the user's
 * `twoFactor` without secrets, `/api/login` answering 242 and `/api/two-factor/login` completing it, a TOTP
 * code refused the second time within its window (replay), recovery codes working once each, the
 * `twoFactorId` single-use and expiring, trusted devices, disabling, a database dump that shows no
 * recovery code, and a hard delete that leaves nothing of the user's two-factor state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../engines.js';
import { appCode, enrolledUser, startTwoFactorIdp, statusOf } from './support.js';

for (const engine of ENGINES) {
  test(`authenticator method: enable, 242, two-factor login, replay, recovery codes, trust, disable (${engine})`, async (t) => {
    const fx = await startTwoFactorIdp(t, engine);
    if (fx === undefined) return;
    try {
      const { client, clock } = fx;
      const secret = (await client.generateTwoFactorSecret()).response;
      assert.match(secret.secret!, /^[A-Za-z0-9+/]{20}$/, 'a FusionAuth secret: 20 characters of base64');
      assert.equal(Buffer.from(secret.secretBase32Encoded!.replace(/=+$/, ''), 'ascii').length, 32, 'Base32 of the 20 ASCII bytes');

      const user = await enrolledUser(fx, 'mfa@example.com');
      assert.equal(user.recoveryCodes.length, 10);
      for (const code of user.recoveryCodes) assert.match(code, /^[A-Z0-9]{5}-[A-Z0-9]{5}$/);

      // a second method answers an empty 200, and a wrong code 421
      const second = (await client.generateTwoFactorSecret()).response;
      assert.equal(await statusOf(client.enableTwoFactor(user.id, { method: 'authenticator', code: '000000', secret: second.secret! })), 421);
      const added = await client.enableTwoFactor(user.id, { method: 'authenticator', code: await appCode(second.secretBase32Encoded!, clock), secret: second.secret!, name: 'Backup phone' });
      assert.equal(added.statusCode, 200);
      assert.equal(added.response, undefined, 'no recovery codes after the first method');

      const retrieved = await client.retrieveUser(user.id);
      const methods = retrieved.response.user!.twoFactor!.methods!;
      assert.equal(methods.length, 2);
      assert.deepEqual(methods[0]!.authenticator, { algorithm: 'HmacSHA1', codeLength: 6, timeStep: 30 });
      assert.match(methods[0]!.id!, /^[A-Z0-9]{4}$/);
      assert.equal(methods[1]!.name, 'Backup phone');
      const text = JSON.stringify(retrieved.response);
      assert.ok(!text.includes(secret.secret!) && !text.includes('"secret"') && !text.includes('"key"') && !text.includes('recoveryCode'), 'no secret, key or recovery code in the user');

      // the password alone: 242 with a twoFactorId and the methods, no token
      clock.nextStep();
      const challenged = await client.login({ loginId: user.email, password: user.password });
      assert.equal(challenged.statusCode, 242);
      assert.equal(challenged.response.token, undefined);
      assert.ok(challenged.response.twoFactorId!.length >= 40);
      assert.deepEqual(challenged.response.methods!.map((m) => m.id), methods.map((m) => m.id));

      assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: challenged.response.twoFactorId!, code: '123456' })), 421, 'a wrong code');
      const code = await appCode(user.secretBase32, clock);
      const done = await client.twoFactorLogin({ twoFactorId: challenged.response.twoFactorId!, code, trustComputer: true });
      assert.equal(done.statusCode, 200);
      assert.ok(done.response.token, 'a token, as a normal login');
      assert.equal(done.response.user!.id, user.id);
      const trustId = done.response.twoFactorTrustId!;
      assert.ok(trustId.length >= 40, 'trustComputer answers a twoFactorTrustId');
      assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: challenged.response.twoFactorId!, code })), 404, 'a twoFactorId is used once');

      // the same code again, with a new twoFactorId, within its window: refused (replay)
      const again = await client.login({ loginId: user.email, password: user.password });
      assert.equal(again.statusCode, 242);
      assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: again.response.twoFactorId!, code })), 421, 'a TOTP code is not accepted twice');

      // a recovery code works once
      const recovery = user.recoveryCodes[3]!;
      assert.equal((await client.twoFactorLogin({ twoFactorId: again.response.twoFactorId!, code: recovery.toLowerCase() })).statusCode, 200, 'recovery codes ignore case');
      const third = await client.login({ loginId: user.email, password: user.password });
      assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: third.response.twoFactorId!, code: recovery })), 421, 'a recovery code is used once');

      // the status API says the same, with the trust's period
      const status = await client.retrieveTwoFactorStatus(user.id, null as never, trustId);
      assert.equal(status.statusCode, 200);
      assert.equal(status.response.trusts!.length, 1);
      assert.equal(status.response.trusts![0]!.expiration! - status.response.trusts![0]!.startInstant!, 30 * 86_400_000, 'the default trust period: 30 days');
      assert.equal((await client.retrieveTwoFactorStatusWithRequest({ userId: user.id })).statusCode, 242);
      // a trusted device skips the challenge; an unknown trust id does not
      assert.equal((await client.login({ loginId: user.email, password: user.password, twoFactorTrustId: trustId })).statusCode, 200);
      assert.equal((await client.login({ loginId: user.email, password: user.password, twoFactorTrustId: 'not-a-trust-id' })).statusCode, 242);

      // a twoFactorId expires (tenant default: 300 s)
      const late = await client.login({ loginId: user.email, password: user.password });
      clock.ms += 301_000;
      assert.equal(await statusOf(client.twoFactorLogin({ twoFactorId: late.response.twoFactorId!, code: await appCode(user.secretBase32, clock) })), 404, 'an expired twoFactorId');

      // what a database dump shows: no recovery code, no twoFactorId, no trust id in clear
      const dump = await fx.dump();
      for (const c of user.recoveryCodes) assert.ok(!dump.includes(c) && !dump.includes(c.replace('-', '')), 'recovery codes are stored hashed');
      assert.ok(!dump.includes(trustId) && !dump.includes(late.response.twoFactorId!), 'trust ids and twoFactorIds are stored hashed');

      // disabling: a wrong code is 421; a current code removes the method; a recovery code removes them all
      clock.nextStep();
      assert.equal(await statusOf(client.disableTwoFactor(user.id, methods[1]!.id!, '000000')), 421);
      assert.equal((await client.disableTwoFactor(user.id, methods[1]!.id!, await appCode(second.secretBase32Encoded!, clock))).statusCode, 200);
      assert.equal((await client.retrieveUser(user.id)).response.user!.twoFactor!.methods!.length, 1);
      assert.equal((await client.disableTwoFactorWithRequest(user.id, { methodId: methods[0]!.id!, code: user.recoveryCodes[0]! })).statusCode, 200);
      assert.equal((await client.retrieveUser(user.id)).response.user!.twoFactor, undefined);
      assert.equal((await client.login({ loginId: user.email, password: user.password })).statusCode, 200, 'no method: no challenge');
      await client.deleteUser(user.id);
      assert.ok(!(await fx.dump()).includes(user.id), 'a hard delete takes the pending logins (the expired one above) and trusted devices along');
    } finally {
      await fx.close();
    }
  });
}
