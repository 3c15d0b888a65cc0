/**
 * A password reset ends every session of the user (services/revoke-sessions.ts): the admin console
 * session of an administrator whose password is reset through a change-password id is gone (the console
 * sends it back to sign in), and so are the user's refresh tokens; another user's session is untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { ADMIN, adminSession, cookieOf, signIn, startConsoleIdp } from '../admin/support.js';
import { ADMIN_APPLICATION_ID } from '../../../src/idp/admin/index.js';

test("resetting a password ends that user's admin console sessions, not another's", async () => {
  const idp = await startConsoleIdp();
  try {
    const mine = await adminSession(idp.url);
    assert.equal((await mine.get('/admin/')).status, 200);
    await idp.api('POST', '/api/user/registration', { user: { email: 'second@example.com', password: 'second-password' }, registration: { applicationId: ADMIN_APPLICATION_ID, roles: ['admin'] } });
    const other = cookieOf((await signIn(idp.url, { loginId: 'second@example.com', password: 'second-password' })).response)!;
    const otherHome = () => fetch(`${idp.url}/admin/`, { redirect: 'manual', headers: { cookie: `gatehouse_admin=${other}` } });
    assert.equal((await otherHome()).status, 200);
    const keyed = new FusionAuthClient(idp.adminKey, idp.url);
    const id = (await keyed.forgotPassword({ loginId: ADMIN.loginId, sendForgotPasswordEmail: false })).response.changePasswordId!;
    assert.equal((await new FusionAuthClient('', idp.url).changePassword(id, { password: 'admin-password-2' })).statusCode, 200);
    const after = await mine.get('/admin/');
    assert.equal(after.status, 303, 'the session is gone');
    assert.match(after.headers.get('location') ?? '', /^\/admin\/login/);
    assert.equal((await otherHome()).status, 200, "another user's session stays");
  } finally {
    await idp.close();
  }
});
