/**
 * Self-service registration (`/oauth2/register`): refused while the application's
 * `registrationConfiguration` is off; once on, the login page links to it with the authorization
 * request's parameters; the form requires its CSRF token, the enabled required fields, a matching
 * confirmation and the tenant's password rules (readable messages); a valid form creates the user and
 * the registration (default role), emails a verification link (the tenant verifies addresses) and
 * continues the OAuth flow: a code the token endpoint exchanges for the new user's tokens (PKCE kept),
 * `userState=AuthenticatedNotVerified`. A second account with the same address is refused; unimplemented
 * registration settings are refused by the Application API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { postForm, startOAuthFixture } from './support.js';
import { decodeJwt } from '../support.js';
import { mailboxEmailConfiguration, startMailbox } from '../../support/mailbox.js';
import { message, openForm } from '../hosted/support.js';

test('register on the hosted page, then the code flow continues for the new user', async () => {
  const fx = await startOAuthFixture();
  const mailbox = await startMailbox();
  try {
    const { idp } = fx;
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', scope: 'openid offline_access', state: 'st-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    });
    const registerUrl = `${idp.url}/oauth2/register?${query}`;
    assert.equal((await fetch(registerUrl)).status, 404, 'registration is off');
    assert.ok(!(await (await fetch(`${idp.url}/oauth2/authorize?${query}`)).text()).includes('Create an account'));

    const consoleApp = await idp.api('POST', '/api/application/3c219e58-ed0e-4b18-ad48-f4f92793ae32', { application: { name: 'Console', registrationConfiguration: { enabled: true } } });
    assert.equal(consoleApp.body.fieldErrors['application.registrationConfiguration.enabled'][0].code, '[invalid]application.registrationConfiguration.enabled', 'never on the admin console application');
    const advanced = await idp.api('PATCH', `/api/application/${fx.web.id}`, { application: { registrationConfiguration: { enabled: true, type: 'advanced' } } });
    assert.equal(advanced.body.fieldErrors['application.registrationConfiguration.type'][0].code, '[notImplemented]application.registrationConfiguration.type');
    const on = await idp.api('PATCH', `/api/application/${fx.web.id}`, {
      application: { registrationConfiguration: { enabled: true, confirmPassword: true, firstName: { enabled: true, required: true }, lastName: { enabled: true } } },
    });
    assert.equal(on.status, 200, on.text);
    const viewer = (on.body.application.roles as { id: string; name: string }[]).find((r) => r.name === 'viewer')!;
    assert.equal((await idp.api('PATCH', `/api/application/${fx.web.id}/role/${viewer.id}`, { role: { isDefault: true } })).status, 200);
    await idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { emailConfiguration: mailboxEmailConfiguration(mailbox, { verifyEmail: true }) } });

    const login = await (await fetch(`${idp.url}/oauth2/authorize?${query}`)).text();
    const href = /<a href="([^"]+)">Create an account<\/a>/.exec(login)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(href !== undefined, 'the login page links to registration');
    const linked = new URL(href, idp.url);
    assert.equal(linked.pathname, '/oauth2/register');
    for (const [name, value] of query) assert.equal(linked.searchParams.get(name), value, `the link keeps ${name}`);

    const form = await openForm(linked.toString());
    assert.equal(form.page.status, 200);
    assert.match(form.page.html, /name="user\.email"/);
    assert.match(form.page.html, /name="user\.firstName"[^>]* required/);
    assert.match(form.page.html, /Last name \(optional\)/);
    const good = { 'user.email': 'Grace@Example.com', 'user.password': 'grace-password', passwordConfirm: 'grace-password', 'user.firstName': 'Grace' };
    assert.equal((await form.submit(good, (f) => f.delete('csrf'))).status, 403);
    const noName = await form.submit({ ...good, 'user.firstName': '' });
    assert.equal(noName.status, 400);
    assert.equal(message(noName.html), 'Fill in every required field.');
    assert.match(noName.html, /id="user\.firstName"[^>]*aria-invalid="true"/);
    assert.equal(message((await form.submit({ ...good, passwordConfirm: 'other-password' })).html), 'The two passwords do not match.');
    assert.equal(message((await form.submit({ ...good, 'user.password': 'short', passwordConfirm: 'short' })).html), 'Use at least 8 characters.');
    assert.equal(message((await form.submit({ ...good, 'user.email': fx.user.email })).html), 'An account with this email address already exists. Sign in instead, or reset your password.');

    const done = await form.submit(good);
    assert.equal(done.status, 302, done.html);
    const back = new URL(done.location!);
    assert.equal(`${back.origin}${back.pathname}`, fx.web.redirect);
    assert.equal(back.searchParams.get('state'), 'st-1');
    assert.equal(back.searchParams.get('userState'), 'AuthenticatedNotVerified');
    const tokens = await postForm(`${idp.url}/oauth2/token`, {
      grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: fx.web.redirect, client_id: fx.web.id, client_secret: fx.web.secret, code_verifier: verifier,
    });
    assert.equal(tokens.status, 200, tokens.text);
    const claims = decodeJwt(tokens.body.access_token as string).payload;
    assert.deepEqual(claims.roles, ['viewer'], 'the default role');
    const user = (await idp.api('GET', '/api/user?email=grace@example.com')).body.user;
    assert.equal(claims.sub, user.id);
    assert.equal(user.firstName, 'Grace');
    assert.equal(user.verified, false);
    assert.equal(user.registrations[0].applicationId, fx.web.id);
    assert.match(mailbox.link(await mailbox.next('grace@example.com')), /\/email\/verify\//);
    assert.equal((await idp.api('POST', '/api/login', { loginId: 'grace@example.com', password: 'grace-password', applicationId: fx.web.id })).status, 200, 'the new account signs in');
  } finally {
    await fx.close();
    await mailbox.close();
  }
});
