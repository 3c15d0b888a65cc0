/**
 * The session cookie against the real gateway and the Gatehouse IdP: a tampered or expired session is
 * no session (navigation → IdP, anything else → 401 with WWW-Authenticate); a failed refresh clears it;
 * concurrent requests share one refresh (the IdP's refresh tokens are one-time-use, so a second refresh
 * would fail); a session larger than one cookie travels in numbered chunks; the cookie key rotates (the
 * first key seals, the others still open; a retired key's cookie is refused).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { CookieSealer } from '../../../../src/gateway/auth/login/sealed-cookie.js';
import { parseCookies, readChunked, writeChunked } from '../../../../src/gateway/auth/login/cookie-jar.js';
import { startInProcess, type InProcessGateway } from '../../support/in-process.js';
import { startUpstream, type Echo, type TestUpstream } from '../../support/upstream.js';
import { formLogin, startOAuthFixture, type OAuthFixture } from '../../../idp/oauth/support.js';
import { cookieKey, freePort, get, loginGatewayConfig, NAVIGATE, setCookies, signIn } from './support.js';

const NAME = 'gatehouse_session';
const JSON_CALL = { accept: 'application/json' };
const k1 = cookieKey();
const k2 = cookieKey();
let fx: OAuthFixture;
let upstream: TestUpstream;
let gw: InProcessGateway;

before(async () => {
  const port = await freePort();
  fx = await startOAuthFixture({ webOauth: { authorizedRedirectURLs: [`http://127.0.0.1:${port}/_gatehouse/callback`] } });
  upstream = await startUpstream('app');
  gw = await startInProcess(
    loginGatewayConfig({
      port, host: '127.0.0.1', issuer: fx.idp.url, audience: fx.web.id, clientId: fx.web.id, clientSecret: fx.web.secret, keys: [k1], upstream: upstream.address,
      routes: [{ path_prefix: '/admin', backend: 'app', auth: { policy: 'web', roles: ['admin'] } }],
    }),
  );
});
after(async () => {
  await gw?.close();
  await upstream?.close();
  await fx?.close();
});

const login = (authorize: Record<string, string>) => formLogin(fx.idp.url, authorize, fx.user.email, fx.user.password).then((r) => r.location);

type SessionValue = { sid: string; accessToken: string; refreshToken?: string; idToken?: string; accessExpires: number; ends: number };

/** Opens a session cookie header with a key (as the gateway would). */
function open(cookie: string, keys: Buffer[]): SessionValue | undefined {
  const sealed = readChunked(parseCookies(cookie), NAME);
  return sealed === undefined ? undefined : (new CookieSealer(keys).open(NAME, sealed) as SessionValue | undefined);
}

/** Seals a session as the gateway does and returns the Cookie header for its chunks. */
function sealed(session: SessionValue, keys: Buffer[]): { cookie: string; chunks: number } {
  const lines = writeChunked(new Map(), NAME, new CookieSealer(keys).seal(NAME, session), { secure: false });
  return { cookie: lines.map((l) => l.split(';')[0]).join('; '), chunks: lines.length };
}

async function freshSession(): Promise<SessionValue> {
  const signedIn = await signIn(gw.url, '/app', login);
  return open(signedIn.session, [k1])!;
}

function assertNoSession(answer: Awaited<ReturnType<typeof get>>, navigation: boolean): void {
  if (navigation) {
    assert.equal(answer.status, 302);
    assert.ok(answer.location?.startsWith(`${fx.idp.url}/oauth2/authorize?`), 'sent to the IdP');
  } else {
    assert.equal(answer.status, 401);
    assert.match(String(answer.headers['www-authenticate']), /^Bearer/);
  }
}

test('requests that are not navigations get 401 with WWW-Authenticate, navigations a redirect', async () => {
  const before = upstream.requests;
  assertNoSession(await get(`${gw.url}/app`, NAVIGATE), true);
  assertNoSession(await get(`${gw.url}/app`, { accept: 'text/html' }), true);
  assertNoSession(await get(`${gw.url}/app`, JSON_CALL), false);
  assertNoSession(await get(`${gw.url}/app`, {}), false);
  assertNoSession(await get(`${gw.url}/app`, { accept: 'text/html', 'sec-fetch-mode': 'cors' }), false);
  assertNoSession(await get(`${gw.url}/app`, { accept: 'text/html', 'x-requested-with': 'XMLHttpRequest' }), false);
  assert.equal(upstream.requests, before);
});

test("the session's token meets the route's requirements like any bearer token; a client's own Authorization header is checked as it is", async () => {
  const session = await freshSession();
  const { cookie } = sealed(session, [k1]);
  const before = upstream.requests;
  const forbidden = await get(`${gw.url}/admin/users`, { ...NAVIGATE, cookie });
  assert.equal(forbidden.status, 403, 'the viewer lacks the admin role: 403, not a new sign-in');
  assert.match(String(forbidden.headers['www-authenticate']), /insufficient_scope/);
  assert.deepEqual(forbidden.setCookie, [], 'the session stays');
  assert.equal(upstream.requests, before);
  const api = await get(`${gw.url}/app`, { ...JSON_CALL, authorization: `Bearer ${session.accessToken}` });
  assert.equal(api.status, 200);
  const wrong = await get(`${gw.url}/app`, { ...NAVIGATE, cookie, authorization: 'Bearer not.a.token' });
  assert.equal(wrong.status, 401, 'a bad Authorization header is not rescued by the session');
});

test('a tampered session cookie is no session; the cookie is cleared', async () => {
  const session = await freshSession();
  const { cookie } = sealed(session, [k1]);
  const ok = await get(`${gw.url}/app`, { ...NAVIGATE, cookie: `theme=dark; ${cookie}; lang=en` });
  assert.equal(ok.status, 200);
  const echo = JSON.parse(ok.text) as Echo;
  assert.equal(echo.headers.authorization, `Bearer ${session.accessToken}`);
  assert.equal(echo.headers.cookie, 'theme=dark; lang=en', "the upstream gets the client's other cookies, not the session");
  assert.equal((JSON.parse((await get(`${gw.url}/app`, { ...NAVIGATE, cookie })).text) as Echo).headers.cookie, undefined, 'no Cookie header when only ours');
  const value = cookie.slice(cookie.indexOf('=') + 1);
  const tampered = `${NAME}.0=${value.slice(0, 30)}${value[30] === 'A' ? 'B' : 'A'}${value.slice(31)}`;
  const nav = await get(`${gw.url}/app`, { ...NAVIGATE, cookie: tampered });
  assertNoSession(nav, true);
  assert.equal(setCookies(nav.setCookie).get(`${NAME}.0`), '', 'cleared');
  assertNoSession(await get(`${gw.url}/app`, { ...JSON_CALL, cookie: tampered }), false);
});

test('an expired session is no session, even with a live access token inside', async () => {
  const session = await freshSession();
  const { cookie } = sealed({ ...session, ends: Date.now() - 1000 }, [k1]);
  assertNoSession(await get(`${gw.url}/app`, { ...NAVIGATE, cookie }), true);
  assertNoSession(await get(`${gw.url}/app`, { ...JSON_CALL, cookie }), false);
});

test('a refresh the IdP refuses clears the session; the log has the code, not the token', async () => {
  const session = await freshSession();
  const bogus = 'not-a-refresh-token-0123456789';
  const { cookie } = sealed({ ...session, accessExpires: Date.now() - 1000, refreshToken: bogus }, [k1]);
  const nav = await get(`${gw.url}/app`, { ...NAVIGATE, cookie });
  assertNoSession(nav, true);
  assert.equal(setCookies(nav.setCookie).get(`${NAME}.0`), '');
  assert.match(gw.rawLog(), /ERR_LOGIN_REFRESH/);
  assert.ok(!gw.rawLog().includes(bogus));
});

test('concurrent requests of one session share one refresh (one-time-use refresh tokens)', async () => {
  const session = await freshSession();
  const { cookie } = sealed({ ...session, accessExpires: Date.now() - 1000 }, [k1]);
  // six at once, then one more after they all settled (a request the browser sent before it had the new cookie)
  const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${gw.url}/app`, { ...NAVIGATE, cookie })));
  answers.push(await get(`${gw.url}/app`, { ...NAVIGATE, cookie }));
  const bearers = new Set(answers.map((a) => (assert.equal(a.status, 200), (JSON.parse(a.text) as Echo).headers.authorization)));
  assert.equal(bearers.size, 1, 'one refreshed token for all');
  assert.ok(!bearers.has(`Bearer ${session.accessToken}`));
  const renewed = answers[0]!.setCookie.map((l) => l.split(';')[0]).join('; ');
  assert.equal(`Bearer ${open(renewed, [k1])!.accessToken}`, [...bearers][0], 'the new cookie holds the new token');
});

test('a session larger than one cookie travels in chunks; a missing chunk is no session', async () => {
  const session = await freshSession();
  const big = { ...session, idToken: `${session.idToken}.${'x'.repeat(5000)}` };
  const { cookie, chunks } = sealed(big, [k1]);
  assert.ok(chunks >= 3, `${chunks} chunks`);
  const ok = await get(`${gw.url}/app`, { ...NAVIGATE, cookie });
  assert.equal(ok.status, 200);
  assert.equal((JSON.parse(ok.text) as Echo).headers.authorization, `Bearer ${session.accessToken}`);
  const withoutLast = cookie.split('; ').slice(0, -1).join('; ');
  assertNoSession(await get(`${gw.url}/app`, { ...NAVIGATE, cookie: withoutLast }), true);
  // the gateway writes chunks itself: a refresh of the big session answers every line under 4096 bytes
  const refreshing = sealed({ ...big, accessExpires: Date.now() - 1000 }, [k1]);
  const renewed = await get(`${gw.url}/app`, { ...NAVIGATE, cookie: refreshing.cookie });
  assert.equal(renewed.status, 200);
  for (const line of renewed.setCookie) assert.ok(line.length < 4096, `${line.length} bytes`);
  assert.ok(open(renewed.setCookie.filter((l) => !l.includes('Max-Age=0')).map((l) => l.split(';')[0]).join('; '), [k1]) !== undefined);
});

test('cookie key rotation: a new first key seals, the old one still opens; a retired key is refused', async () => {
  const session = await freshSession();
  const old = sealed({ ...session, accessExpires: Date.now() - 1000 }, [k1]).cookie;
  const rotatedPort = await freePort();
  const rotated = await startInProcess(loginGatewayConfig({ port: rotatedPort, host: '127.0.0.1', issuer: fx.idp.url, audience: fx.web.id, clientId: fx.web.id, clientSecret: fx.web.secret, keys: [k2, k1], upstream: upstream.address }));
  const retiredPort = await freePort();
  const retired = await startInProcess(
    loginGatewayConfig({
      port: retiredPort, host: '127.0.0.1', issuer: fx.idp.url, audience: fx.web.id, clientId: fx.web.id, clientSecret: fx.web.secret, keys: [k2], upstream: upstream.address,
      login: { redirect_uri: 'https://app.example/_gatehouse/callback' },
    }),
  );
  try {
    const renewed = await get(`${rotated.url}/app`, { ...NAVIGATE, cookie: old });
    assert.equal(renewed.status, 200, 'opened with the second key');
    const cookie = renewed.setCookie.map((l) => l.split(';')[0]).join('; ');
    assert.notEqual(open(cookie, [k2]), undefined, 'resealed with the first key');
    assert.equal(open(cookie, [k1]), undefined);
    const refused = await get(`${retired.url}/app`, { ...NAVIGATE, cookie: old });
    assertNoSession(refused, true);
    assert.match(refused.setCookie.find((l) => l.startsWith(`${NAME}_state_`))!, /; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/, 'Secure with an https redirect_uri');
  } finally {
    await rotated.close();
    await retired.close();
  }
});
