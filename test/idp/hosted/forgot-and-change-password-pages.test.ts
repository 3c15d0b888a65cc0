/**
 * The hosted reset flow with a real SMTP server: the login page links to `/password/forgot` once the
 * tenant can send reset emails; the forgot page answers an existing and an unknown login id with the same
 * page (only the former gets an email); the emailed `/password/change/{id}` page refuses a post without
 * its CSRF token, a confirmation that differs and a password the tenant's rules refuse (with readable
 * messages, id not spent), then changes the password, revokes the refresh tokens,
 * and is dead afterwards. Rate limits: the 21st forgot post from one address is a 429 page; a fourth
 * request for one login id within the window answers the same page and sends nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOAuthFixture } from '../oauth/support.js';
import { mailboxEmailConfiguration, startMailbox } from '../../support/mailbox.js';
import { message, openForm } from './support.js';

test('forgot password → email → change password page, without telling who has an account', async () => {
  let clock = Date.now();
  const fx = await startOAuthFixture({ now: () => clock, webOauth: { proofKeyForCodeExchangePolicy: 'NotRequired' } });
  const mailbox = await startMailbox();
  let closed = false;
  try {
    const { idp } = fx;
    const authorize = `${idp.url}/oauth2/authorize?${new URLSearchParams({ client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid offline_access' })}`;
    assert.ok(!(await (await fetch(authorize)).text()).includes('Forgot password?'), 'no link while the tenant cannot send reset emails');
    const forgotUrl = `${idp.url}/password/forgot?client_id=${fx.web.id}`;
    assert.equal((await fetch(forgotUrl)).status, 403, 'the page says reset by email is not available');

    await idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { emailConfiguration: { ...mailboxEmailConfiguration(mailbox), verifyEmail: false }, passwordValidationRules: { minLength: 10, requireNumber: true } } });
    const login = await (await fetch(authorize)).text();
    const href = /<a href="([^"]+)">Forgot password\?<\/a>/.exec(login)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(href !== undefined && href.startsWith('/password/forgot?client_id='), 'the login page links to the forgot page');

    await idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true } } });
    const session = (await idp.api('POST', '/api/login', { loginId: fx.user.email, password: fx.user.password, applicationId: fx.web.id })).body;
    assert.ok(session.refreshToken);

    const known = await (await openForm(`${idp.url}${href}`)).submit({ loginId: fx.user.email });
    const unknown = await (await openForm(`${idp.url}${href}`)).submit({ loginId: 'nobody@example.com' });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, known.status);
    assert.equal(unknown.html.replace('nobody@example.com', 'X'), known.html.replace(fx.user.email, 'X'), 'the same page whether or not the account exists');
    assert.match(message(known.html), /If an account exists/);
    const noCsrf = await (await openForm(`${idp.url}${href}`)).submit({ loginId: fx.user.email }, (f) => f.set('csrf', 'x'.repeat(43)));
    assert.equal(noCsrf.status, 403);

    const link = mailbox.link(await mailbox.next(fx.user.email));
    assert.ok(link.startsWith(`${idp.url}/password/change/`), link);
    const change = await openForm(link);
    assert.equal(change.page.status, 200);
    assert.match(change.page.html, /At least 10 characters, with a number\./, 'the rules are spelled out');
    assert.equal((await change.submit({ password: 'new-password-1', passwordConfirm: 'new-password-1' }, (f) => f.delete('csrf'))).status, 403, 'CSRF token required');
    const mismatch = await change.submit({ password: 'new-password-1', passwordConfirm: 'new-password-2' });
    assert.equal(mismatch.status, 400);
    assert.equal(message(mismatch.html), 'The two passwords do not match.');
    const weak = await change.submit({ password: 'short', passwordConfirm: 'short' });
    assert.equal(weak.status, 400);
    assert.equal(message(weak.html), 'Use at least 10 characters. Include at least one number.');
    const done = await change.submit({ password: 'new-password-1', passwordConfirm: 'new-password-1' });
    assert.equal(done.status, 200, done.html);
    assert.match(message(done.html), /Your password has been changed/);
    assert.equal((await idp.api('POST', '/api/login', { loginId: fx.user.email, password: 'new-password-1' })).status, 200);
    assert.equal((await idp.api('POST', '/api/jwt/refresh', { refreshToken: session.refreshToken })).status, 400, 'sessions revoked');
    const again = await openForm(link);
    assert.equal(again.page.status, 404, 'single use');
    assert.match(message(again.page.html), /not valid any more/);

    // per login id: requests 2 and 3 send; the 4th answers the same page and sends nothing
    for (let i = 0; i < 3; i++) assert.equal((await (await openForm(forgotUrl)).submit({ loginId: fx.user.email })).status, 200);
    // per address: 20 posts per window (5 counted so far; the one refused for its CSRF token is not), the 21st is a 429 page
    for (let i = 0; i < 15; i++) assert.equal((await (await openForm(forgotUrl)).submit({ loginId: `someone${i}@example.com` })).status, 200);
    const limited = await (await openForm(forgotUrl)).submit({ loginId: 'one-more@example.com' });
    assert.equal(limited.status, 429);
    clock += 15 * 60_000 + 1;
    assert.equal((await (await openForm(forgotUrl)).submit({ loginId: 'next-window@example.com' })).status, 200, 'a new window');

    await fx.close();
    closed = true;
    assert.equal(mailbox.messages.filter((m) => m.to.includes(fx.user.email)).length, 3, 'the first email, then two more; the fourth request sent nothing');
    assert.ok(!idp.logLines.join('\n').includes(new URL(link).pathname.split('/')[3]!), 'the id is never logged');
  } finally {
    if (!closed) await fx.close();
    await mailbox.close();
  }
});
