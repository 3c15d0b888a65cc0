/**
 * Every two-factor form needs its CSRF token: the hosted code page (`/oauth2/two-factor`) and the account
 * pages refuse a post whose token does not match its cookie, before looking at the code. The code forms
 * share the per-address attempt cap of the API (20 a minute, then 429 with Retry-After).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp } from '../support.js';

test('the code page and the account forms refuse a post without the CSRF token', async () => {
  const idp = await startTestIdp();
  try {
    const page = await fetch(`${idp.url}/account/two-factor`);
    assert.equal(page.status, 200);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, /^gatehouse_csrf=/);
    assert.match(page.headers.get('set-cookie') ?? '', /Path=\/account; HttpOnly; SameSite=Strict/);
    for (const path of ['/oauth2/two-factor', '/account/sign-in', '/account/sign-in/two-factor', '/account/two-factor/enable', '/account/two-factor/disable']) {
      for (const [headers, csrf] of [[{}, 'x'.repeat(43)], [{ cookie }, 'y'.repeat(43)], [{ cookie }, undefined]] as const) {
        const form = new URLSearchParams({ twoFactorId: 'id', code: '123456', loginId: 'a@example.com', password: 'password', ...(csrf === undefined ? {} : { csrf }) });
        const response = await fetch(`${idp.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form.toString(), redirect: 'manual' });
        assert.equal(response.status, 403, `${path} without a matching token`);
      }
    }
  } finally {
    await idp.close();
  }
});

test('the code page and the account code form cap attempts per address', async () => {
  const idp = await startTestIdp();
  try {
    const page = await fetch(`${idp.url}/account/two-factor`);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const csrf = cookie.slice(cookie.indexOf('=') + 1);
    const post = (path: string) =>
      fetch(`${idp.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ csrf, twoFactorId: 'unknown', code: '123456' }).toString(), redirect: 'manual' });
    for (let i = 0; i < 10; i++) {
      assert.equal((await post('/oauth2/two-factor')).status, 400, 'an unknown twoFactorId: the sign-in expired');
      assert.equal((await post('/account/sign-in/two-factor')).status, 400);
    }
    for (const path of ['/oauth2/two-factor', '/account/sign-in/two-factor']) {
      const limited = await post(path);
      assert.equal(limited.status, 429, path);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.match(await limited.text(), /Too many attempts/);
    }
  } finally {
    await idp.close();
  }
});
