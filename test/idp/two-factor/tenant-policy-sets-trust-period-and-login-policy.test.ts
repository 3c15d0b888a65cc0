/**
 * The tenant's two-factor settings, with FusionAuth's names: `twoFactorTrustIdTimeToLiveInSeconds` is the
 * period the hosted page offers ("Trust this device for 7 days") and the life of a trust id;
 * `multiFactorConfiguration.loginPolicy: Disabled` turns the challenge off; `Required` and the email
 * method are refused as not implemented; bad values are 400.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formLogin } from '../oauth/support.js';
import { appCode, enrolledUser, startTwoFactorIdp } from './support.js';

test('trust period and login policy come from the tenant', async (t) => {
  const fx = (await startTwoFactorIdp(t, 'sqlite'))!;
  try {
    const { idp, client, clock } = fx;
    const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
    const patch = (tenant: Record<string, unknown>) => idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant });

    const bad = await patch({ externalIdentifierConfiguration: { twoFactorTrustIdTimeToLiveInSeconds: 0 }, multiFactorConfiguration: { loginPolicy: 'Required', email: { enabled: true }, sms: { enabled: true } } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.fieldErrors['tenant.externalIdentifierConfiguration.twoFactorTrustIdTimeToLiveInSeconds'][0].code, '[invalid]tenant.externalIdentifierConfiguration.twoFactorTrustIdTimeToLiveInSeconds');
    assert.equal(bad.body.fieldErrors['tenant.multiFactorConfiguration.loginPolicy'][0].code, '[notImplemented]tenant.multiFactorConfiguration.loginPolicy');
    assert.equal(bad.body.fieldErrors['tenant.multiFactorConfiguration.email.templateId'][0].code, '[blank]tenant.multiFactorConfiguration.email.templateId', 'email codes need their template');
    assert.equal(bad.body.fieldErrors['tenant.multiFactorConfiguration.sms.enabled'][0].code, '[notImplemented]tenant.multiFactorConfiguration.sms.enabled');
    assert.equal((await patch({ issuer: idp.url, externalIdentifierConfiguration: { twoFactorTrustIdTimeToLiveInSeconds: 7 * 86_400 } })).status, 200);

    const app = await idp.api('POST', '/api/application', { application: { name: 'Policy app', oauthConfiguration: { authorizedRedirectURLs: ['http://127.0.0.1:1/cb'], enabledGrants: ['authorization_code'] } } });
    const user = await enrolledUser(fx, 'policy@example.com', app.body.application.id);
    const page = await formLogin(idp.url, { client_id: app.body.application.id, redirect_uri: 'http://127.0.0.1:1/cb', response_type: 'code', scope: 'openid' }, user.email, user.password);
    assert.equal(page.status, 200, 'the code page, not a redirect');
    assert.match(page.html, /Trust this device for 7 days/);

    const challenged = await client.login({ loginId: user.email, password: user.password });
    const trusted = await client.twoFactorLogin({ twoFactorId: challenged.response.twoFactorId!, code: await appCode(user.secretBase32, clock), trustComputer: true });
    const trustId = trusted.response.twoFactorTrustId!;
    clock.ms += 7 * 86_400_000 - 1000;
    assert.equal((await client.login({ loginId: user.email, password: user.password, twoFactorTrustId: trustId })).statusCode, 200, 'trusted within 7 days');
    clock.ms += 2000;
    assert.equal((await client.login({ loginId: user.email, password: user.password, twoFactorTrustId: trustId })).statusCode, 242, 'not after');

    assert.equal((await patch({ multiFactorConfiguration: { loginPolicy: 'Disabled' } })).status, 200);
    assert.equal((await client.login({ loginId: user.email, password: user.password })).statusCode, 200, 'loginPolicy Disabled: no challenge');
  } finally {
    await fx.close();
  }
});
