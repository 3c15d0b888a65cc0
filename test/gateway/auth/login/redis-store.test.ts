/**
 * `login.store.redis` against a real Redis and the Gatehouse IdP: the cookie is a small sealed pointer,
 * the session is sealed in Redis (no token in clear there) with the session's lifetime; a refresh changes
 * Redis and sends no new cookie; logout deletes the entry, so a copy of the cookie is dead afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { CookieSealer } from '../../../../src/gateway/auth/login/sealed-cookie.js';
import { requireTcpService } from '../../../support/services.js';
import { startInProcess } from '../../support/in-process.js';
import { startUpstream, type Echo } from '../../support/upstream.js';
import { formLogin, startOAuthFixture } from '../../../idp/oauth/support.js';
import { cookieKey, freePort, get, loginGatewayConfig, NAVIGATE, setCookies, signIn } from './support.js';

test('redis store: pointer cookie, sealed entry with a TTL, refresh without a new cookie, logout kills copies', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379))) return;
  const prefix = `gatehouse:test:login:${process.pid}:`;
  const key = cookieKey();
  const port = await freePort();
  const fx = await startOAuthFixture({ webOauth: { authorizedRedirectURLs: [`http://127.0.0.1:${port}/_gatehouse/callback`] } });
  const upstream = await startUpstream('app');
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  const gw = await startInProcess(
    loginGatewayConfig({
      port, host: '127.0.0.1', issuer: fx.idp.url, audience: fx.web.id, clientId: fx.web.id, clientSecret: fx.web.secret, keys: [key], upstream: upstream.address,
      login: { store: { redis: { address: '127.0.0.1:6379', key_prefix: prefix } } },
    }),
  );
  try {
    const login = (authorize: Record<string, string>) => formLogin(fx.idp.url, authorize, fx.user.email, fx.user.password).then((r) => r.location);
    const signedIn = await signIn(gw.url, '/app', login);
    assert.ok(signedIn.session.length < 300, `a pointer, not the tokens (${signedIn.session.length} bytes)`);
    const keys = await redis.keys(`${prefix}*`);
    assert.equal(keys.length, 1);
    const entryKey = keys[0] as string;
    const ttl = await redis.pttl(entryKey);
    assert.ok(ttl > 11 * 3_600_000 && ttl <= 12 * 3_600_000, `the session's lifetime (${ttl} ms)`);
    const stored = (await redis.get(entryKey)) as string;
    // a JWT's shape (header.payload.signature, each base64url of JSON), not 'eyJ' alone, which random ciphertext holds about once in 100 entries
    assert.ok(!/eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/.test(stored), 'no token in clear in Redis');
    const session = new CookieSealer([key]).open(entryKey, stored) as { accessToken: string; accessExpires: number; refreshToken: string };

    const first = await get(`${gw.url}/app`, { ...NAVIGATE, cookie: signedIn.session });
    assert.equal(first.status, 200);
    assert.equal((JSON.parse(first.text) as Echo).headers.authorization, `Bearer ${session.accessToken}`);
    assert.equal((JSON.parse(first.text) as Echo).headers.cookie, undefined);

    // the access token is due: the gateway refreshes it, keeps it in Redis, and the cookie stays as it is
    await redis.set(entryKey, new CookieSealer([key]).seal(entryKey, { ...session, accessExpires: Date.now() - 1000 }), 'PX', ttl);
    const refreshed = await get(`${gw.url}/app`, { ...NAVIGATE, cookie: signedIn.session });
    assert.equal(refreshed.status, 200);
    const renewed = (JSON.parse(refreshed.text) as Echo).headers.authorization;
    assert.notEqual(renewed, `Bearer ${session.accessToken}`);
    assert.deepEqual(refreshed.setCookie, [], 'no new cookie');
    const after = new CookieSealer([key]).open(entryKey, (await redis.get(entryKey)) as string) as { accessToken: string };
    assert.equal(`Bearer ${after.accessToken}`, renewed);

    const logout = await get(`${gw.url}/_gatehouse/logout`, { ...NAVIGATE, cookie: signedIn.session });
    assert.equal(logout.status, 302);
    assert.equal(setCookies(logout.setCookie).get('gatehouse_session.0'), '');
    assert.equal(await redis.exists(entryKey), 0, 'deleted at logout');
    const copy = await get(`${gw.url}/app`, { ...NAVIGATE, cookie: signedIn.session });
    assert.equal(copy.status, 302, 'a copy of the cookie made before logout is no session');
    assert.ok(copy.location?.startsWith(`${fx.idp.url}/oauth2/authorize?`));
  } finally {
    await gw.close();
    const left = await redis.keys(`${prefix}*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
    await upstream.close();
    await fx.close();
  }
});
