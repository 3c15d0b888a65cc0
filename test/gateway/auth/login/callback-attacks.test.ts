/**
 * The callback refuses what an attacker can bring (Gatehouse IdP, real gateway, plain HTTP): no state
 * cookie (a callback URL sent to a victim: login CSRF), a state that is not this browser's, a tampered
 * state cookie, a replayed callback (the code is single-use and the state cookie is cleared). None of
 * them sets a session cookie or reaches the upstream, and the log has no code, token or secret.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcessGateway } from '../../support/in-process.js';
import { startUpstream, type TestUpstream } from '../../support/upstream.js';
import { formLogin, startOAuthFixture, type OAuthFixture } from '../../../idp/oauth/support.js';
import { cookieKey, freePort, get, loginGatewayConfig, NAVIGATE, setCookies, signIn } from './support.js';

let fx: OAuthFixture;
let upstream: TestUpstream;
let gw: InProcessGateway;

let otherAudiencePort: number;

before(async () => {
  const port = await freePort();
  otherAudiencePort = await freePort();
  fx = await startOAuthFixture({ webOauth: { authorizedRedirectURLs: [`http://127.0.0.1:${port}/_gatehouse/callback`, `http://127.0.0.1:${otherAudiencePort}/_gatehouse/callback`] } });
  upstream = await startUpstream('app');
  gw = await startInProcess(loginGatewayConfig({ port, host: '127.0.0.1', issuer: fx.idp.url, audience: fx.web.id, clientId: fx.web.id, clientSecret: fx.web.secret, keys: [cookieKey()], upstream: upstream.address }));
});
after(async () => {
  await gw?.close();
  await upstream?.close();
  await fx?.close();
});

const login = (authorize: Record<string, string>) => formLogin(fx.idp.url, authorize, fx.user.email, fx.user.password).then((r) => r.location);

/** A challenge and the IdP's callback URL for it, not yet used. */
async function pendingCallback(): Promise<{ callback: URL; stateCookie: string }> {
  const challenge = await get(`${gw.url}/app`, NAVIGATE);
  const [name, value] = [...setCookies(challenge.setCookie)].find(([n]) => n.includes('_state_'))!;
  const callback = await login(Object.fromEntries(new URL(challenge.location!).searchParams));
  return { callback: new URL(callback!), stateCookie: `${name}=${value}` };
}

async function refused(url: URL | string, cookie: string | undefined, code: string): Promise<void> {
  const before = upstream.requests;
  const response = await get(url, { ...NAVIGATE, ...(cookie === undefined ? {} : { cookie }) });
  assert.equal(response.status, 400);
  assert.match(response.text, new RegExp(code));
  const set = setCookies(response.setCookie);
  assert.ok([...set].every(([, v]) => v === ''), 'no cookie is set, only the state cleared');
  assert.equal(upstream.requests, before, 'nothing reaches the upstream');
}

test('a callback without the state cookie is refused (a callback URL handed to another browser)', async () => {
  const { callback } = await pendingCallback();
  await refused(callback, undefined, 'ERR_LOGIN_STATE');
});

test("a state that is not this browser's is refused (the attacker's state cookie with the victim's code)", async () => {
  const victim = await pendingCallback();
  const attacker = await pendingCallback();
  await refused(victim.callback, attacker.stateCookie, 'ERR_LOGIN_STATE');
  const forged = new URL(victim.callback);
  forged.searchParams.set('state', 'forged-state');
  await refused(forged, victim.stateCookie, 'ERR_LOGIN_STATE');
});

test("another sign-in's state cookie renamed to this sign-in's name does not open (sealed under its own name)", async () => {
  const victim = await pendingCallback();
  const attacker = await pendingCallback();
  const victimName = victim.stateCookie.slice(0, victim.stateCookie.indexOf('='));
  await refused(victim.callback, `${victimName}=${attacker.stateCookie.slice(attacker.stateCookie.indexOf('=') + 1)}`, 'ERR_LOGIN_STATE');
});

test('two sign-ins at once in one browser (two tabs) both complete', async () => {
  const first = await pendingCallback();
  const second = await pendingCallback();
  const both = `${first.stateCookie}; ${second.stateCookie}`;
  for (const tab of [second, first]) {
    const done = await get(tab.callback, { ...NAVIGATE, cookie: both });
    assert.equal(done.status, 302);
    assert.equal(done.location, '/app');
    assert.ok(setCookies(done.setCookie).get('gatehouse_session.0'), 'a session');
  }
});

test('an id_token for another nonce is refused (same state and PKCE challenge, the nonce changed at the IdP)', async () => {
  const challenge = await get(`${gw.url}/app`, NAVIGATE);
  const [name, value] = [...setCookies(challenge.setCookie)].find(([n]) => n.includes('_state_'))!;
  const params = Object.fromEntries(new URL(challenge.location!).searchParams);
  const callback = await login({ ...params, nonce: 'a-nonce-the-gateway-never-made' });
  const before = upstream.requests;
  const answer = await get(callback!, { ...NAVIGATE, cookie: `${name}=${value}` });
  assert.equal(answer.status, 401);
  assert.match(answer.text, /ERR_LOGIN_ID_TOKEN/);
  assert.equal(setCookies(answer.setCookie).get('gatehouse_session.0'), undefined, 'no session');
  assert.equal(upstream.requests, before);
  assert.match(gw.rawLog(), /nonce does not match/);
});

test('a tampered state cookie is refused', async () => {
  const { callback, stateCookie } = await pendingCallback();
  const eq = stateCookie.indexOf('=');
  const value = stateCookie.slice(eq + 1);
  const flipped = `${value.slice(0, 20)}${value[20] === 'A' ? 'B' : 'A'}${value.slice(21)}`;
  await refused(callback, `${stateCookie.slice(0, eq)}=${flipped}`, 'ERR_LOGIN_STATE');
});

test('a replayed callback is refused: the code was redeemed and no second session is made', async () => {
  const first = await signIn(gw.url, '/app', login);
  assert.equal(first.location, '/app');
  assert.match(first.session, /^gatehouse_session\.0=/);
  await refused(first.callback, first.stateCookie, 'ERR_LOGIN_CODE');
  const admitted = await get(`${gw.url}/app`, { ...NAVIGATE, cookie: first.session });
  assert.equal(admitted.status, 200, 'the first sign-in still works');
});

test('the return path is same-origin only: a scheme-relative target returns to /', async () => {
  const signedIn = await signIn(gw.url, '//evil.example/steal', login);
  assert.equal(signedIn.location, '/');
});

test("an access token the policy would refuse ends the sign-in with 401 ERR_LOGIN_TOKEN, not a redirect loop", async () => {
  const other = await startInProcess(loginGatewayConfig({ port: otherAudiencePort, host: '127.0.0.1', issuer: fx.idp.url, audience: 'another-api', clientId: fx.web.id, clientSecret: fx.web.secret, keys: [cookieKey()], upstream: upstream.address }));
  try {
    const challenge = await get(`${other.url}/app`, NAVIGATE);
    const [name, value] = [...setCookies(challenge.setCookie)].find(([n]) => n.includes('_state_'))!;
    const callback = await login(Object.fromEntries(new URL(challenge.location!).searchParams));
    const answer = await get(callback!, { ...NAVIGATE, cookie: `${name}=${value}` });
    assert.equal(answer.status, 401);
    assert.match(answer.text, /ERR_LOGIN_TOKEN/);
    assert.equal(setCookies(answer.setCookie).get('gatehouse_session.0'), undefined, 'no session');
    assert.match(other.rawLog(), /ERR_LOGIN_TOKEN.*AUD|AUD.*ERR_LOGIN_TOKEN/);
  } finally {
    await other.close();
  }
});

test('the log names what failed, never a code, token or secret', () => {
  const log = gw.rawLog();
  assert.match(log, /ERR_LOGIN_STATE/);
  assert.match(log, /ERR_LOGIN_CODE/);
  assert.ok(!log.includes(fx.web.secret), 'no client secret');
  for (const line of gw.logs) assert.ok(!/eyJ[\w-]{10,}\./.test(JSON.stringify(line)), 'no JWT');
  assert.ok(!/code=[\w-]{8,}/.test(log), 'no authorization code');
});
