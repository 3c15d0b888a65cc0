/**
 * The admin console's guards, over real HTTP: no session → every page and every action redirects to the
 * sign-in page; a session without the CSRF token (or with another site's Origin) → every action is
 * refused; only administrators sign in; the session id changes at sign-in and dies at sign-out; no page
 * may be framed; names with markup render as text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_APPLICATION_ID, ADMIN_ROUTES, REGISTERED_ROUTES } from '../../../src/idp/admin/index.js';
import type { TestIdp } from '../support.js';
import { ADMIN, PLAIN, adminSession, cookieOf, csrfOf, postForm, signIn, startConsoleIdp } from './support.js';

const XSS = '<script>alert(1)</script>';

async function fixture(idp: TestIdp) {
  const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
  const app = (await idp.api('POST', '/api/application', { application: { name: XSS, roles: [{ name: 'viewer' }], jwtConfiguration: { enabled: true } } })).body.application;
  const user = (await idp.api('POST', '/api/user', { user: { email: 'xss@example.com', password: 'password-123', firstName: XSS } })).body.user;
  // a registration, for the page that confirms removing it
  await idp.api('POST', `/api/user/registration/${user.id}`, { registration: { applicationId: app.id } });
  const key = (await idp.api('GET', '/api/key')).body.keys[0];
  const apiKey = (await idp.api('POST', '/api/api-key', { apiKey: { metaData: { attributes: { description: XSS } }, permissions: { endpoints: { '/api/login': ['POST'] } } } })).body.apiKey;
  return { tenantId, app, user, key, apiKey };
}

function fill(path: string, ids: Awaited<ReturnType<typeof fixture>>): string {
  const kind = path.split('/')[2];
  const id = kind === 'tenants' ? ids.tenantId : kind === 'applications' ? ids.app.id : kind === 'users' ? ids.user.id : kind === 'keys' ? ids.key.id : ids.apiKey.id;
  return path.replace(':id', id).replace(':roleId', ids.app.roles[0].id).replace(':applicationId', ids.app.id);
}

test('admin console guards', async (t) => {
  const idp = await startConsoleIdp();
  t.after(() => idp.close());
  const base = idp.url;
  const ids = await fixture(idp);
  assert.ok(ADMIN_ROUTES.length >= 30, `all routes registered (${ADMIN_ROUTES.length})`);

  await t.test('every console route is a guarded page or action, or one of the few public ones', () => {
    const trim = (route: string) => route.replace(/\/$/, '');
    const guarded = new Set(ADMIN_ROUTES.map((r) => trim(`${r.method} ${r.path}`)));
    const publicRoutes = new Set(['GET /admin/login', 'POST /admin/login', 'POST /admin/logout', 'GET /admin/assets/admin.css', 'GET /admin/assets/admin.js']);
    assert.ok(REGISTERED_ROUTES.size >= guarded.size + publicRoutes.size);
    for (const route of REGISTERED_ROUTES) assert.ok(guarded.has(trim(route)) || publicRoutes.has(route), `${route} is neither guarded nor listed as public`);
  });

  await t.test('without a session every page and action redirects to the sign-in page', async () => {
    for (const route of ADMIN_ROUTES) {
      const url = `${base}${fill(route.path, ids)}`;
      const response = route.method === 'GET' ? await fetch(url, { redirect: 'manual' }) : await postForm(url, { _csrf: 'x', name: 'changed' });
      assert.equal(response.status, 303, `${route.method} ${route.path}`);
      assert.match(response.headers.get('location') ?? '', /^\/admin\/login/, `${route.method} ${route.path}`);
    }
    // and nothing changed
    assert.equal((await idp.api('GET', `/api/application/${ids.app.id}`)).body.application.name, XSS);
  });

  await t.test('a forged or foreign cookie is no session', async () => {
    const response = await fetch(`${base}/admin/applications`, { redirect: 'manual', headers: { cookie: 'gatehouse_admin=forged' } });
    assert.equal(response.status, 303);
  });

  const session = await adminSession(base);

  await t.test('every form post without its CSRF token is refused', async () => {
    for (const route of ADMIN_ROUTES.filter((r) => r.method === 'POST')) {
      const path = fill(route.path, ids);
      const none = await session.post(path, { name: 'changed' });
      assert.equal(none.status, 403, `no token: POST ${route.path}`);
      const wrong = await session.post(path, { _csrf: `${session.csrf.slice(0, -2)}xx`, name: 'changed' });
      assert.equal(wrong.status, 403, `wrong token: POST ${route.path}`);
    }
    const foreign = await session.post(`/admin/tenants/${ids.tenantId}`, { _csrf: session.csrf, name: 'Evil', issuer: 'https://evil' }, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403, 'another Origin with the right token');
    const opaque = await session.post(`/admin/tenants/${ids.tenantId}`, { _csrf: session.csrf, name: 'Evil', issuer: 'https://evil' }, { origin: 'null' });
    assert.equal(opaque.status, 403, 'Origin: null with the right token');
    const crossSite = await session.post(`/admin/tenants/${ids.tenantId}`, { _csrf: session.csrf, name: 'Evil', issuer: 'https://evil' }, { 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403, 'Sec-Fetch-Site: cross-site with the right token');
    const tenant = (await idp.api('GET', `/api/tenant/${ids.tenantId}`)).body.tenant;
    assert.notEqual(tenant.issuer, 'https://evil');
    assert.notEqual(tenant.name, 'changed');
    assert.equal((await idp.api('GET', `/api/application/${ids.app.id}`)).body.application.name, XSS);
    // the sign-in and sign-out forms too
    assert.equal((await postForm(`${base}/admin/login`, { loginId: ADMIN.loginId, password: ADMIN.password }, session.preCookie)).status, 403);
    assert.equal((await session.post('/admin/logout', {})).status, 403);
  });

  await t.test('with the token the same post works (the refusals above were the token)', async () => {
    const ok = await session.post(`/admin/tenants/${ids.tenantId}`, { _csrf: session.csrf, name: 'Default', issuer: 'https://issuer.example', ttl: '1800' });
    assert.equal(ok.status, 303);
    const tenant = (await idp.api('GET', `/api/tenant/${ids.tenantId}`)).body.tenant;
    assert.equal(tenant.issuer, 'https://issuer.example');
    assert.equal(tenant.jwtConfiguration.timeToLiveInSeconds, 1800);
  });

  await t.test('the session id changes at sign-in, and the pre-sign-in id is worthless', async () => {
    const { response, preCookie } = await signIn(base, ADMIN);
    const after = cookieOf(response)!;
    assert.equal(response.status, 303);
    assert.ok(after.length >= 40 && preCookie.length >= 40);
    assert.notEqual(after, preCookie);
    const old = await fetch(`${base}/admin/users`, { redirect: 'manual', headers: { cookie: `gatehouse_admin=${preCookie}` } });
    assert.equal(old.status, 303);
    const now = await fetch(`${base}/admin/users`, { redirect: 'manual', headers: { cookie: `gatehouse_admin=${after}` } });
    assert.equal(now.status, 200);
    const header = response.headers.get('set-cookie')!;
    assert.match(header, /HttpOnly/);
    assert.match(header, /SameSite=Strict/);
    assert.match(header, /Path=\/admin/);
  });

  await t.test('users who are not administrators cannot sign in', async () => {
    const plain = await signIn(base, PLAIN);
    assert.equal(plain.response.status, 401);
    assert.equal(cookieOf(plain.response), undefined);
    assert.match(await plain.response.text(), /Sign-in failed/);
    // registered to the console's application, but without the admin role
    await idp.api('POST', `/api/user/registration/${ids.user.id}`, { registration: { applicationId: ADMIN_APPLICATION_ID, roles: [] } });
    const registered = await signIn(base, { loginId: 'xss@example.com', password: 'password-123' });
    assert.equal(registered.response.status, 401);
    const wrong = await signIn(base, { loginId: ADMIN.loginId, password: 'not-the-password' });
    assert.equal(wrong.response.status, 401);
    // the pre-session stays a pre-session: it opens no page
    const stillOut = await fetch(`${base}/admin/`, { redirect: 'manual', headers: { cookie: `gatehouse_admin=${plain.preCookie}` } });
    assert.equal(stillOut.status, 303);
  });

  await t.test('no page may be framed', async () => {
    const login = await fetch(`${base}/admin/login`);
    assert.equal(login.headers.get('x-frame-options'), 'DENY');
    assert.match(login.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    const pages = [...ADMIN_ROUTES.filter((r) => r.method === 'GET').map((r) => fill(r.path, ids))];
    for (const path of pages) {
      const response = await session.get(path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
      assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/, path);
      assert.equal(response.headers.get('cache-control'), 'no-store', path);
      const text = await response.text();
      assert.doesNotMatch(text, /<script>alert/, path);
      assert.ok(!/<script(?! src="\/admin\/assets\/admin\.js" defer><\/script>)/.test(text), `${path}: only the console's own script`);
      for (const [, url] of text.matchAll(/(?:src|href)="([^"]*)"/g)) assert.ok(url!.startsWith('/admin') || url!.startsWith('#') || url === 'data:,', `${path}: ${url} is local`);
    }
  });

  await t.test('everything is served locally and small', async () => {
    const script = await fetch(`${base}/admin/assets/admin.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.ok((await script.text()).length < 5_000, 'script under 5 KB (the limit is 100 KB)');
    const css = await fetch(`${base}/admin/assets/admin.css`);
    assert.equal(css.status, 200);
    const etag = css.headers.get('etag')!;
    assert.equal((await fetch(`${base}/admin/assets/admin.css`, { headers: { 'if-none-match': etag } })).status, 304);
  });

  await t.test('names with markup render as text', async () => {
    for (const path of ['/admin/applications', `/admin/applications/${ids.app.id}`, `/admin/users?q=xss`, `/admin/users/${ids.user.id}`, '/admin/keys', '/admin/api-keys']) {
      const text = await (await session.get(path)).text();
      assert.match(text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, path);
    }
    // a search term is escaped too
    const search = await (await session.get(`/admin/users?q=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`)).text();
    assert.match(search, /value="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;"/);
  });

  await t.test('bad input gets a page, not a crash', async () => {
    assert.equal((await session.get('/admin/applications/not-a-uuid')).status, 303);
    assert.equal((await session.get('/admin/nothing-here')).status, 404);
    const bad = await fetch(`${base}/admin/tenants/${ids.tenantId}`, { method: 'POST', redirect: 'manual', headers: { cookie: `gatehouse_admin=${session.cookie}`, 'content-type': 'application/json' }, body: '{"_csrf":' });
    assert.equal(bad.status, 415);
    const empty = await session.post('/admin/applications', { _csrf: session.csrf, name: '' });
    assert.equal(empty.status, 400);
    const text = await empty.text();
    assert.match(text, /<li><a href="#app-name">Name is required\.<\/a><\/li>/, 'the API\u2019s refusal, in the form\u2019s words');
    assert.doesNotMatch(text, /application\.name|You must specify/);
    const next = await signIn(base, ADMIN);
    assert.equal(next.response.headers.get('location'), '/admin/');
    // ?next= only ever leads to a console page
    for (const [target, expected] of [['//evil.example/admin', '/admin/'], ['https://evil.example/', '/admin/'], ['/admin//evil.example', '/admin/'], ['/admin/\\evil.example', '/admin/'], ['/admin/users?q=a', '/admin/users?q=a']]) {
      const page = await fetch(`${base}/admin/login?next=${encodeURIComponent(target!)}`);
      const cookie = cookieOf(page)!;
      const token = csrfOf(await page.text());
      const formNext = (/name="next" value="([^"]*)"/.exec(await (await fetch(`${base}/admin/login?next=${encodeURIComponent(target!)}`)).text()) ?? [])[1];
      assert.equal(formNext?.replace(/&amp;/g, '&'), expected, `form next for ${target}`);
      const response = await postForm(`${base}/admin/login`, { _csrf: token, loginId: ADMIN.loginId, password: ADMIN.password, next: target! }, cookie);
      assert.equal(response.headers.get('location'), expected, target);
    }
  });

  await t.test('sign-out ends the session', async () => {
    const out = await session.post('/admin/logout', { _csrf: session.csrf });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await session.get('/admin/')).status, 303);
  });
});
