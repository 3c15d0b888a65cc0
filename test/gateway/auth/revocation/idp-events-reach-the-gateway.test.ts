/**
 * Every revoking call of the real identity provider reaches a real gateway through Redis and the
 * configured webhook: /api/logout, DELETE /api/jwt/refresh, password change, soft delete (deactivation),
 * RFC 7009 revocation of an access token, and /oauth2/logout. The revoked user's token is denied (401,
 * reason REVOKED) even when the verified-token cache already holds it; other users' tokens and a token
 * issued after the revocation are admitted; the webhooks carry FusionAuth's event shapes. With Redis
 * unreachable, `on_unavailable` decides: deny answers 503, allow admits; both are logged. Needs Redis at
 * 127.0.0.1:6379 (skipped loudly elsewhere, a failure in CI).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { canConnect, requireTcpService } from '../../../support/services.js';
import { startInProcess, type InProcessGateway } from '../../support/in-process.js';
import { closedPort, startUpstream } from '../../support/upstream.js';
import { PASSWORD, startRevokingIdp, type RevokingIdp } from './revoking-idp.js';

let redisUp = false;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let setup: RevokingIdp;
let gw: InProcessGateway;
let hooks: Server;
const events: Array<Record<string, any>> = [];

before(async () => {
  redisUp = await canConnect('127.0.0.1', 6379);
  if (!redisUp) return; // each test then skips loudly (or fails in CI) through requireTcpService
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      events.push(JSON.parse(body).event as Record<string, any>);
      res.end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  upstream = await startUpstream('app');
  setup = await startRevokingIdp([`http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`]);
  gw = await startInProcess({
    ...setup.gatewayTop(),
    auth: { api: setup.policy },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'api' } },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
});
after(async () => {
  await gw?.close();
  await setup?.idp.close();
  await upstream?.close();
  hooks?.close();
});

const status = async (token: string, url = gw.url) => {
  const res = await request(`${url}/orders`, { headers: { authorization: `Bearer ${token}` } });
  await res.body.dump();
  return res.statusCode;
};

/** Polls until the token is denied (the feed is asynchronous); fails after 10 s. */
async function deniedSoon(token: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await status(token)) === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('the revoked token was still admitted after 10 s');
}

/** A logged-in user whose token the gateway has verified and cached (three requests: cached from the second). */
async function cachedUser(email: string): Promise<{ token: string; refreshToken: string; userId: string }> {
  await setup.user(email);
  const session = await setup.login(email);
  for (let i = 0; i < 3; i++) assert.equal(await status(session.token), 200);
  return session;
}

const bystander = async () => {
  const email = `bystander-${events.length}-${Date.now()}@example.com`;
  await setup.user(email);
  return (await setup.login(email)).token;
};

test('POST /api/logout: the cached token is denied (REVOKED), others are not, and a jwt.refresh-token.revoke webhook arrives', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const alice = await cachedUser('alice@example.com');
  const other = await bystander();
  const logout = await setup.idp.api('POST', '/api/logout', { refreshToken: alice.refreshToken });
  assert.equal(logout.status, 200);
  await deniedSoon(alice.token);
  const res = await request(`${gw.url}/orders`, { headers: { authorization: `Bearer ${alice.token}` } });
  assert.equal(res.statusCode, 401);
  assert.equal(((await res.body.json()) as { error_description: string }).error_description, 'The token has been revoked');
  assert.ok(gw.logs.some((l) => l.error === 'auth: REVOKED'), 'the reason is in the access log');
  assert.equal(await status(other), 200, "another user's token is still admitted");
  const event = events.find((e) => e.type === 'jwt.refresh-token.revoke' && e.userId === alice.userId);
  assert.ok(event, 'webhook received');
  assert.equal(event.applicationId, setup.applicationId);
  assert.deepEqual(event.applicationTimeToLiveInSeconds, { [setup.applicationId]: 3600 });
  assert.equal(event.user.id, alice.userId);
  assert.equal(typeof event.id, 'string');
  assert.equal(typeof event.createInstant, 'number');
  assert.equal(typeof event.tenantId, 'string');
  assert.equal(event.user.password, undefined, 'no secrets in the event');
});

test('a token issued after the revocation (in a later second) is admitted: the check is by iat, not a ban', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const bob = await cachedUser('bob@example.com');
  assert.equal((await setup.idp.api('DELETE', `/api/jwt/refresh?userId=${bob.userId}`)).status, 200);
  await deniedSoon(bob.token);
  // iat has whole seconds: a token of the revocation's own second is denied too (docs/auth.md)
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const again = await setup.login('bob@example.com');
  assert.equal(await status(again.token), 200);
  assert.equal(await status(bob.token), 401, 'the old one stays denied');
});

test('DELETE /api/jwt/refresh?userId= recalls the access tokens of a user who holds no refresh token', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const ivy = await setup.user('ivy@example.com');
  // an access token issued without a refresh token (vended for the user): nothing to revoke in storage
  const vended = await setup.idp.api('POST', '/api/jwt/vend', { claims: { sub: ivy, aud: setup.applicationId }, keyId: setup.keyId, timeToLiveInSeconds: 600 });
  assert.equal(vended.status, 200, vended.text);
  const token = vended.body.token as string;
  for (let i = 0; i < 3; i++) assert.equal(await status(token), 200);
  assert.equal((await setup.idp.api('DELETE', `/api/jwt/refresh?userId=${ivy}`)).status, 200);
  await deniedSoon(token);
  assert.ok(events.some((e) => e.type === 'jwt.refresh-token.revoke' && e.userId === ivy), 'the event is sent for the user');
});

test('password change revokes every token of the user', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const carol = await cachedUser('carol@example.com');
  const change = await setup.idp.api('POST', '/api/user/change-password', { loginId: 'carol@example.com', password: 'a-new-password-2' });
  assert.equal(change.status, 200, change.text);
  await deniedSoon(carol.token);
});

test('soft delete (deactivation) denies the token and sends user.deactivate with active: false', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const dave = await cachedUser('dave@example.com');
  assert.equal((await setup.idp.api('DELETE', `/api/user/${dave.userId}`)).status, 200);
  await deniedSoon(dave.token);
  const event = events.find((e) => e.type === 'user.deactivate' && e.user?.id === dave.userId);
  assert.ok(event, 'user.deactivate webhook received');
  assert.equal(event.user.active, false);
  assert.equal(event.userId, undefined, 'no top-level userId in user.deactivate, as FusionAuth');
});

test('PATCH /api/user/{id} with active: false deactivates like a soft delete: denied, user.deactivate sent, refresh refused', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const hank = await cachedUser('hank@example.com');
  const patched = await setup.idp.api('PATCH', `/api/user/${hank.userId}`, { user: { active: false } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.user.active, false);
  await deniedSoon(hank.token);
  assert.ok(events.some((e) => e.type === 'user.deactivate' && e.user?.id === hank.userId && e.user.active === false), 'user.deactivate webhook received');
  const refresh = await setup.idp.api('POST', '/api/jwt/refresh', { refreshToken: hank.refreshToken });
  assert.notEqual(refresh.status, 200, 'the refresh token is revoked too');
});

test('RFC 7009 revocation of an access token at /oauth2/revoke denies it', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const erin = await cachedUser('erin@example.com');
  const app = (await setup.idp.api('GET', `/api/application/${setup.applicationId}`)).body.application;
  const form = new URLSearchParams({ token: erin.token, client_id: app.oauthConfiguration.clientId, client_secret: app.oauthConfiguration.clientSecret });
  const revoked = await fetch(`${setup.idp.url}/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  assert.equal(revoked.status, 200, await revoked.text());
  await deniedSoon(erin.token);
});

test('/oauth2/logout with an id_token_hint revokes the user\'s tokens', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  await setup.user('gina@example.com');
  const patched = await setup.idp.api('PATCH', `/api/application/${setup.applicationId}`, { application: { oauthConfiguration: { enabledGrants: ['password', 'refresh_token'] } } });
  assert.equal(patched.status, 200, patched.text);
  const client = patched.body.application.oauthConfiguration;
  const form = new URLSearchParams({ grant_type: 'password', username: 'gina@example.com', password: PASSWORD, scope: 'openid offline_access', client_id: client.clientId, client_secret: client.clientSecret });
  const tokens = (await (await fetch(`${setup.idp.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json()) as { access_token: string; id_token: string };
  for (let i = 0; i < 3; i++) assert.equal(await status(tokens.access_token), 200);
  const out = await fetch(`${setup.idp.url}/oauth2/logout?client_id=${client.clientId}&id_token_hint=${tokens.id_token}`, { redirect: 'manual' });
  assert.equal(out.status, 302);
  await deniedSoon(tokens.access_token);
});

test('on_unavailable: deny answers 503 while the feed cannot be read; allow admits; both log the state', async (t) => {
  if (!(await requireTcpService(t, 'Redis', '127.0.0.1', 6379)) || !redisUp) return;
  const port = await closedPort();
  await setup.user('frank@example.com');
  const session = await setup.login('frank@example.com');
  const build = (mode: 'allow' | 'deny') =>
    startInProcess({
      ...setup.gatewayTop(mode, `127.0.0.1:${port}`),
      auth: { api: setup.policy, unchecked: { ...setup.policy, revocation: false } },
      frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'api', routes: [{ path_prefix: '/unchecked', backend: 'app', auth: 'unchecked' }] } },
      backends: { app: { servers: { a: { address: upstream.address } } } },
    });
  const closed = await build('deny');
  const open = await build('allow');
  try {
    const res = await request(`${closed.url}/orders`, { headers: { authorization: `Bearer ${session.token}` } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(((await res.body.json()) as { error: string }).error, 'temporarily_unavailable');
    assert.ok(closed.logs.some((l) => l.error === 'auth: REVOCATION_DOWN'));
    assert.ok(closed.logs.some((l) => String(l.msg).startsWith('revocation feed unavailable: denying')), 'fail closed is logged');
    const optOut = await request(`${closed.url}/unchecked/x`, { headers: { authorization: `Bearer ${session.token}` } });
    assert.equal(optOut.statusCode, 200, 'a policy with revocation: false does not consult the feed');
    await optOut.body.dump();
    assert.equal(await status(session.token, open.url), 200);
    assert.ok(open.logs.some((l) => String(l.msg).startsWith('revocation feed unavailable: admitting')), 'fail open is logged');
  } finally {
    await closed.close();
    await open.close();
  }
});
