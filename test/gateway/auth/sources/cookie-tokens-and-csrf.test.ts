/**
 * Token sources (`token_from`) and the CSRF origin check, through the real gateway on real sockets: a
 * cookie-carried token (FusionAuth's `app.at`) is admitted, cached and checked like a header one; an
 * unsafe method authenticated by a cookie needs an allowed Origin (or Referer); a header token needs no
 * origin; the first present source decides (no fallback from a bad header to a good cookie); a cookie
 * name sent twice is refused; a policy that reads only the header ignores cookies.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startInProcess, type InProcessGateway } from '../../support/in-process.js';
import { startUpstream, type Echo } from '../../support/upstream.js';
import { metricValue, testPolicyConfig, token, validClaims } from '../support.js';

const APP = 'https://app.example.com';
const nowS = Math.floor(Date.now() / 1000);
const live = (extra: Record<string, unknown> = {}) => token({ claims: validClaims({ exp: nowS + 3600, iat: nowS, ...extra }) });

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let gw: InProcessGateway;

before(async () => {
  upstream = await startUpstream('app');
  gw = await startInProcess({
    auth: {
      browser: { ...testPolicyConfig(), token_from: ['header', { cookie: 'app.at' }], allowed_origins: [APP, 'http://localhost:3000'], forward: { headers: { 'X-User': 'sub' } } },
      cookie_first: { ...testPolicyConfig(), token_from: [{ cookie: 'app.at' }, 'header'], allowed_origins: [APP] },
      header_only: testPolicyConfig(),
    },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        auth: 'browser',
        routes: [
          { path_prefix: '/cookie-first', backend: 'app', auth: 'cookie_first' },
          { path_prefix: '/header-only', backend: 'app', auth: 'header_only' },
        ],
      },
    },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
});
after(async () => {
  await gw.close();
  await upstream.close();
});

async function call(path: string, method: string, headers: Record<string, string>): Promise<{ status: number; body: string; echo?: Echo }> {
  const res = await request(`${gw.url}${path}`, { method: method as 'GET', headers, ...(method === 'GET' ? {} : { body: '{}' }) });
  const body = await res.body.text();
  return { status: res.statusCode, body, ...(res.statusCode === 200 ? { echo: JSON.parse(body) as Echo } : {}) };
}

const reasons = () => gw.logs.filter((l) => typeof l.error === 'string').map((l) => l.error as string);

test('a token in the app.at cookie is admitted on GET, and the verified-token cache answers its repeats', async () => {
  const tok = live({ sub: 'cookie-user' });
  const hitsBefore = await metricValue('gatehouse_auth_cache_lookups_total', { policy: 'browser', result: 'hit' });
  for (let i = 0; i < 3; i++) {
    const answer = await call('/orders', 'GET', { cookie: `theme=dark; app.at=${tok}; app.at_exp=${nowS + 3600}` });
    assert.equal(answer.status, 200);
    assert.equal(answer.echo?.headers['x-user'], 'cookie-user', 'claims forwarded as for a header token');
  }
  const hits = (await metricValue('gatehouse_auth_cache_lookups_total', { policy: 'browser', result: 'hit' })) - hitsBefore;
  assert.ok(hits >= 1, `the third request was answered from the cache (${hits} hits)`);
  assert.equal((await call('/orders', 'GET', { cookie: `app.at="${tok}"` })).status, 200, 'a quoted cookie-value is unquoted');
});

test('cookie + unsafe method: no Origin or Referer → 403 ORIGIN_MISSING; a foreign origin → 403 ORIGIN_FOREIGN', async () => {
  const cookie = `app.at=${live()}`;
  const reached = upstream.requests;
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const missing = await call('/orders', method, { cookie });
    assert.equal(missing.status, 403, method);
    assert.equal(JSON.parse(missing.body).error, 'invalid_request');
    assert.match(JSON.parse(missing.body).error_description, /neither Origin nor Referer/);
  }
  assert.equal((await call('/orders', 'POST', { cookie, origin: 'https://evil.example' })).status, 403);
  assert.equal((await call('/orders', 'POST', { cookie, origin: 'null' })).status, 403, 'Origin: null is not an allowed origin');
  assert.equal((await call('/orders', 'POST', { cookie, origin: `${APP}.evil.example` })).status, 403, 'a suffix is not the origin');
  assert.equal((await call('/orders', 'POST', { cookie, referer: 'https://evil.example/app.example.com' })).status, 403);
  assert.equal((await call('/orders', 'POST', { cookie, origin: 'https://evil.example', referer: `${APP}/page` })).status, 403, 'Origin decides when present');
  const logged = reasons();
  assert.ok(logged.includes('auth: ORIGIN_MISSING') && logged.includes('auth: ORIGIN_FOREIGN'), `reasons in the access log: ${logged.join(', ')}`);
  assert.equal(upstream.requests, reached, 'no refused request reached the upstream');
});

test('cookie + unsafe method from an allowed origin (Origin, or Referer without Origin) is admitted; safe methods need none', async () => {
  const cookie = `app.at=${live()}`;
  assert.equal((await call('/orders', 'POST', { cookie, origin: APP })).status, 200);
  assert.equal((await call('/orders', 'DELETE', { cookie, origin: 'HTTP://LOCALHOST:3000' })).status, 200, 'origins compare case-insensitively');
  assert.equal((await call('/orders', 'PUT', { cookie, referer: `${APP}/cart?x=1` })).status, 200);
  assert.equal((await call('/orders', 'GET', { cookie, origin: 'https://evil.example' })).status, 200, 'GET changes nothing: no origin check');
});

test('a header token needs no origin, even on POST from a foreign page', async () => {
  assert.equal((await call('/orders', 'POST', { authorization: `Bearer ${live()}`, origin: 'https://evil.example' })).status, 200);
});

test('the first present source decides: a bad header is not skipped for a good cookie; order [cookie, header] prefers the cookie', async () => {
  const good = live();
  const badHeader = await call('/orders', 'GET', { authorization: 'Bearer not.a.token', cookie: `app.at=${good}` });
  assert.equal(badHeader.status, 401, 'no fallback from a present header');
  assert.equal((await call('/orders', 'GET', { authorization: 'Basic dXNlcjpwYXNz', cookie: `app.at=${good}` })).status, 401, 'a non-Bearer header is present too');
  assert.equal((await call('/cookie-first/x', 'GET', { authorization: 'Bearer not.a.token', cookie: `app.at=${good}` })).status, 200, 'cookie first');
  assert.equal((await call('/cookie-first/x', 'GET', { authorization: `Bearer ${good}` })).status, 200, 'then the header');
  assert.equal((await call('/cookie-first/x', 'POST', { authorization: `Bearer ${good}` })).status, 200, 'a header token under cookie-first needs no origin');
});

test('a cookie name sent twice (cookie tossing) is refused; an empty or missing cookie is a missing token', async () => {
  const good = live();
  const twice = await call('/orders', 'GET', { cookie: `app.at=${good}; other=1; app.at=${good}` });
  assert.equal(twice.status, 401);
  assert.match(JSON.parse(twice.body).error_description, /malformed/);
  const none = await call('/orders', 'GET', { cookie: 'app.atx=1; xapp.at=2' });
  assert.equal(none.status, 401);
  assert.equal(JSON.parse(none.body).error, 'unauthorized', 'no token at all: the bare challenge');
  assert.equal((await call('/orders', 'GET', { cookie: 'app.at=' })).status, 401);
});

test('a policy reading only the header (the default) ignores the cookie', async () => {
  assert.equal((await call('/header-only/x', 'GET', { cookie: `app.at=${live()}` })).status, 401);
  assert.equal((await call('/header-only/x', 'GET', { authorization: `Bearer ${live()}` })).status, 200);
});
