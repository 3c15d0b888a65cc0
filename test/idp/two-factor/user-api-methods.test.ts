/**
 * `twoFactor.methods` on the User API, as FusionAuth takes it (issue #19, item 2: it was accepted and
 * dropped, then refused): a user created with an authenticator method and its `secret` is challenged at
 * login (242) and a code from otplib completes it; PATCH and a retrieve-then-PUT keep the methods (and
 * their secrets, matched by id); a PUT without `twoFactor` removes them, as FusionAuth's PUT does; the
 * sms method is refused, and the email method while the tenant does not allow it, neither stored. The OAuth password grant does not bypass two-factor: it
 * answers FusionAuth's `two_factor_required` with a `two_factor_id`, which `/api/two-factor/login` completes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ENGINES } from '../engines.js';
import { postForm } from '../oauth/support.js';
import { appCode, startTwoFactorIdp, statusOf } from './support.js';

const SECRET = 'aGVsbG8Kd29ybGQKaGVsbG8gaGVsbG8='; // FusionAuth's documentation example
const BASE32 = Buffer.from(SECRET, 'utf8');

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

for (const engine of ENGINES) {
  test(`user create/PATCH/PUT with twoFactor.methods, and the password grant (${engine})`, async (t) => {
    const fx = await startTwoFactorIdp(t, engine);
    if (fx === undefined) return;
    try {
      const { idp, clock } = fx;
      const created = await idp.api('POST', '/api/user', {
        user: { email: 'created@example.com', password: 'created password', twoFactor: { methods: [{ method: 'authenticator', secret: SECRET, authenticator: { algorithm: 'HmacSHA1', codeLength: 6, timeStep: 30 } }] } },
      });
      assert.equal(created.status, 200, created.text);
      const method = created.body.user.twoFactor.methods[0];
      assert.equal(method.method, 'authenticator');
      assert.ok(!created.text.includes(SECRET), 'the secret is not returned');
      const userId = created.body.user.id as string;

      const challenged = await idp.api('POST', '/api/login', { loginId: 'created@example.com', password: 'created password' });
      assert.equal(challenged.status, 242, 'a user created with a method is challenged');
      const code = await appCode(base32(BASE32), clock);
      const done = await idp.api('POST', '/api/two-factor/login', { twoFactorId: challenged.body.twoFactorId, code }, { authorization: '' });
      assert.equal(done.status, 200, done.text);

      // PATCH of another field and a retrieve-then-PUT keep the method and its secret
      assert.equal((await idp.api('PATCH', `/api/user/${userId}`, { user: { firstName: 'Kept' } })).status, 200);
      const retrieved = (await idp.api('GET', `/api/user/${userId}`)).body.user;
      assert.equal((await idp.api('PUT', `/api/user/${userId}`, { user: retrieved })).status, 200);
      clock.nextStep();
      const again = await idp.api('POST', '/api/login', { loginId: 'created@example.com', password: 'created password' });
      assert.equal(again.status, 242);
      assert.equal((await idp.api('POST', '/api/two-factor/login', { twoFactorId: again.body.twoFactorId, code: await appCode(base32(BASE32), clock) })).status, 200, 'the same secret still works');

      // refused: sms, email (the tenant does not allow it), a new authenticator method without a secret, a wrong configuration
      const refused = await idp.api('PATCH', `/api/user/${userId}`, { user: { twoFactor: { methods: [{ method: 'sms', mobilePhone: '+15555550100' }, { method: 'authenticator' }, { method: 'authenticator', secret: SECRET, authenticator: { codeLength: 8 } }, { method: 'email', email: 'created@example.com' }] } } });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.fieldErrors['user.twoFactor.methods[0].method'][0].code, '[notImplemented]user.twoFactor.methods[0].method');
      assert.equal(refused.body.fieldErrors['user.twoFactor.methods[1].secret'][0].code, '[blank]user.twoFactor.methods[1].secret');
      assert.equal(refused.body.fieldErrors['user.twoFactor.methods[2].authenticator'][0].code, '[invalid]user.twoFactor.methods[2].authenticator');
      assert.equal(refused.body.fieldErrors['user.twoFactor.methods[3].method'][0].code, '[invalid]user.twoFactor.methods[3].method');
      assert.equal((await idp.api('GET', `/api/user/${userId}`)).body.user.twoFactor.methods.length, 1, 'nothing was changed');

      // the password grant: two_factor_required with a two_factor_id, completed by /api/two-factor/login
      const appId = randomUUID();
      const app = await idp.api('POST', `/api/application/${appId}`, { application: { name: 'Grant', oauthConfiguration: { enabledGrants: ['password'] } } });
      assert.equal(app.status, 200, app.text);
      await idp.api('POST', `/api/user/registration/${userId}`, { registration: { applicationId: appId } });
      const grant = await postForm(`${idp.url}/oauth2/token`, { grant_type: 'password', username: 'created@example.com', password: 'created password', client_id: appId, client_secret: app.body.application.oauthConfiguration.clientSecret });
      assert.equal(grant.status, 400);
      assert.equal(grant.body.error, 'two_factor_required');
      assert.equal(grant.body.access_token, undefined);
      clock.nextStep();
      const completed = await idp.api('POST', '/api/two-factor/login', { twoFactorId: grant.body.two_factor_id, code: await appCode(base32(BASE32), clock) });
      assert.equal(completed.status, 200);
      assert.equal(completed.body.user.registrations[0].applicationId, appId);

      // a PUT without twoFactor removes the methods (FusionAuth's PUT replaces the user)
      const { twoFactor: _t, ...withoutTwoFactor } = (await idp.api('GET', `/api/user/${userId}`)).body.user;
      assert.equal((await idp.api('PUT', `/api/user/${userId}`, { user: withoutTwoFactor })).status, 200);
      assert.equal((await idp.api('POST', '/api/login', { loginId: 'created@example.com', password: 'created password' })).status, 200);
      assert.equal(await statusOf(fx.client.generateTwoFactorRecoveryCodes(userId)), 400, 'no method: no recovery codes');
    } finally {
      await fx.close();
    }
  });
}
