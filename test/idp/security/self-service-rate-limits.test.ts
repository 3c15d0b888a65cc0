/**
 * The rate limits of the email and self-service endpoints (services/rate-limit.ts: 20 per client address
 * and 3 emails per login id per 15 minutes, counted in the database): the anonymous forgot-password API
 * and resend-verification API per address and per login id, the change-password, verify-email and
 * registration pages per address; a new window (frozen clock moved on) lets requests through again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOAuthFixture } from '../oauth/support.js';
import { mailboxEmailConfiguration, startMailbox } from '../../support/mailbox.js';

const WINDOW = 15 * 60_000;

test('forgot password, resend verification and the hosted pages are rate limited', async () => {
  let clock = Date.now();
  const fx = await startOAuthFixture({ now: () => clock, webOauth: { proofKeyForCodeExchangePolicy: 'NotRequired' } });
  const mailbox = await startMailbox();
  try {
    const { idp } = fx;
    await idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox) } });
    await idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { registrationConfiguration: { enabled: true } } });
    const json = { 'content-type': 'application/json', 'x-fusionauth-tenantid': fx.tenantId };
    const forgot = (loginId: string) => fetch(`${idp.url}/api/user/forgot-password`, { method: 'POST', headers: json, body: JSON.stringify({ loginId }) });
    const resend = (email: string) => fetch(`${idp.url}/api/user/verify-email?email=${encodeURIComponent(email)}`, { method: 'PUT', headers: json });

    // per login id: 3 emails, whoever asks
    for (let i = 0; i < 3; i++) assert.equal((await resend(fx.user.email)).status, 200);
    assert.equal((await resend(fx.user.email)).status, 429, 'a fourth verification email to one address');
    for (let i = 0; i < 3; i++) assert.equal((await forgot(fx.user.email)).status, 200);
    assert.equal((await forgot(fx.user.email)).status, 429, 'a fourth reset email to one address');
    // per address: 20 anonymous requests (4 so far), whatever the login id
    for (let i = 0; i < 16; i++) assert.equal((await forgot(`nobody${i}@example.com`)).status, 404);
    assert.equal((await forgot('one-more@example.com')).status, 429);

    // the pages, per address
    const pages = [`/password/change/${'x'.repeat(43)}`, `/email/verify/${'y'.repeat(43)}`, `/oauth2/register?client_id=${fx.web.id}&redirect_uri=${encodeURIComponent(fx.web.redirect)}&response_type=code&scope=openid`];
    for (const page of pages.slice(0, 2)) {
      for (let i = 0; i < 20; i++) assert.equal((await fetch(`${idp.url}${page}`)).status, 404, page);
      assert.equal((await fetch(`${idp.url}${page}`)).status, 429, `${page}: the 21st request`);
    }
    const form = await fetch(`${idp.url}${pages[2]}`);
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const post = () =>
      fetch(`${idp.url}/oauth2/register`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid', csrf, 'user.email': '', 'user.password': '' }).toString(),
      });
    for (let i = 0; i < 20; i++) assert.equal((await post()).status, 400);
    assert.equal((await post()).status, 429, 'the 21st registration post');

    clock += WINDOW + 1;
    assert.equal((await forgot(fx.user.email)).status, 200, 'a new window');
    assert.equal((await post()).status, 400, 'a new window');
  } finally {
    await fx.close();
    await mailbox.close();
  }
});
