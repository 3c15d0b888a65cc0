/**
 * Remote keys against a real JWKS server on 127.0.0.1: fetched before the policy is ready, cache
 * lifetime from Cache-Control within min/max, background refresh, unknown kid → one shared refetch per
 * cool-down however many tokens ask, last good keys kept on failure, cache cleared on rotation, OIDC
 * discovery. The clock used for cool-downs is the tests' frozen clock, moved by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createAuthPolicy } from '../../../src/gateway/auth/index.js';
import { cacheLifetimeMs } from '../../../src/gateway/auth/keys/http-json.js';
import { UNKNOWN_KID_RETRY_DELAYS_MS } from '../../../src/gateway/auth/keys/remote-jwks.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { startJwksServer } from './jwks-server.js';
import { AUDIENCE, clock, frozenNow, metricValue, newRsaKey, NOW_MS, policy, reasonOf, rsaKey, token, until, validClaims } from './support.js';

const k1 = rsaKey();
const k2 = newRsaKey();
const jwk = (k: typeof k1, kid: string) => ({ ...k.publicJwk, kid, use: 'sig', alg: 'RS256' });
const signed = (k: typeof k1, kid: string) => token({ header: { alg: 'RS256', kid }, key: k.privateKey });

test('keys are fetched before the policy is ready; a failing first fetch fails the build', async () => {
  const server = await startJwksServer({ keys: [jwk(k1, 'k1')] });
  const p = await policy({ keys: { jwks: server.url } }, 'remote-ready');
  assert.equal(server.hits.get('/jwks'), 1);
  assert.equal(await reasonOf(p, signed(k1, 'k1')), 'OK', 'answered synchronously from the prefetched keys');
  p.close();
  server.status = 500;
  await assert.rejects(policy({ keys: { jwks: server.url } }), (e: unknown) => isGatehouseError(e, 'ERR_KEY_FETCH') && /HTTP status 500/.test(e.message));
  server.status = 200;
  server.jwks = { keys: [] };
  await assert.rejects(policy({ keys: { jwks: server.url } }), (e: unknown) => isGatehouseError(e, 'ERR_KEY_FETCH') && /no usable key/.test(e.message));
  server.jwks = '{"keys": [';
  await assert.rejects(policy({ keys: { jwks: server.url } }), (e: unknown) => isGatehouseError(e, 'ERR_KEY_FETCH') && /not JSON/.test(e.message));
  server.gate = new Promise(() => undefined);
  await assert.rejects(policy({ keys: { jwks: server.url }, key_cache: { timeout: '200ms' } }), (e: unknown) => isGatehouseError(e, 'ERR_KEY_FETCH') && /no answer within 200 ms/.test(e.message));
  await server.close();
});

test('cache lifetime follows Cache-Control max-age, clamped to [min_age, max_age]; no-store/no-cache → min_age', () => {
  const min = 60_000;
  const max = 3_600_000;
  assert.equal(cacheLifetimeMs('public, max-age=600', min, max), 600_000);
  assert.equal(cacheLifetimeMs('max-age=5', min, max), min);
  assert.equal(cacheLifetimeMs('max-age=999999', min, max), max);
  assert.equal(cacheLifetimeMs('no-store', min, max), min);
  assert.equal(cacheLifetimeMs('no-cache, max-age=600', min, max), min);
  assert.equal(cacheLifetimeMs(null, min, max), 600_000, 'no header: 10 minutes, clamped');
  assert.equal(cacheLifetimeMs('max-age=abc', min, max), 600_000);
});

test('background refresh after the cache lifetime picks up new keys without any request asking', async () => {
  const server = await startJwksServer({ keys: [jwk(k1, 'k1')] });
  server.cacheControl = 'max-age=0';
  const p = await policy({ keys: { jwks: server.url }, key_cache: { min_age: '50ms', max_age: '1h', cooldown: '1h' } }, 'remote-refresh');
  server.jwks = { keys: [jwk(k1, 'k1'), jwk(k2, 'k2')] };
  await until(() => (server.hits.get('/jwks') ?? 0) >= 3, 'two background refreshes');
  assert.equal(await reasonOf(p, signed(k2, 'k2')), 'OK', 'k2 known without an unknown-kid refetch (cool-down is 1h)');
  p.close();
  const after = server.hits.get('/jwks');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(server.hits.get('/jwks'), after, 'close() stops background refreshes');
  await server.close();
});

test('unknown kid: a flood of random kids causes at most one fetch per cool-down, shared by all waiters', async () => {
  const server = await startJwksServer({ keys: [jwk(k1, 'k1')] });
  clock.now = NOW_MS;
  const p = await policy({ keys: { jwks: server.url }, key_cache: { cooldown: '30s' } }, 'remote-kid');
  assert.equal(server.total(), 1);
  server.jwks = { keys: [jwk(k1, 'k1'), jwk(k2, 'k2')] };
  // Within the cool-down after the first fetch: no refetch at all.
  for (let i = 0; i < 200; i++) assert.equal(await reasonOf(p, signed(k1, randomUUID())), 'KEY');
  assert.equal(await reasonOf(p, signed(k2, 'k2')), 'KEY');
  assert.equal(server.total(), 1, 'no fetch within the cool-down');
  // After the cool-down: 300 concurrent unknown kids (and one real new kid) share a single fetch.
  clock.now = NOW_MS + 31_000;
  let release = (): void => undefined;
  server.gate = new Promise<void>((r) => (release = r));
  const flood = Array.from({ length: 300 }, () => reasonOf(p, signed(k1, randomUUID())));
  const real = reasonOf(p, signed(k2, 'k2'));
  await until(() => server.total() === 2, 'the refetch to arrive');
  release();
  server.gate = undefined;
  const reasons = await Promise.all(flood);
  assert.ok(reasons.every((r) => r === 'KEY'));
  assert.equal(await real, 'OK', 'the rotated-in kid is found by the shared refetch');
  // one refetch, plus the two quick retries the random kids (still unknown) ask for, shared by all
  const afterFlood = server.total();
  assert.ok(afterFlood >= 2 && afterFlood <= 2 + UNKNOWN_KID_RETRY_DELAYS_MS.length, `one refetch and at most ${UNKNOWN_KID_RETRY_DELAYS_MS.length} retries for 301 unknown-kid tokens, not ${afterFlood - 1}`);
  for (let i = 0; i < 100; i++) await reasonOf(p, signed(k1, randomUUID()));
  assert.equal(server.total(), afterFlood, 'and none again within the new cool-down');
  clock.now = NOW_MS + 62_000;
  await reasonOf(p, signed(k1, randomUUID()));
  assert.ok(server.total() > afterFlood, 'more after the next cool-down');
  p.close();
  await server.close();
  clock.now = NOW_MS;
});

test('rotation: when the refetch for an unknown kid still lacks it, it is retried within a second (bounded, shared)', async () => {
  // The JWKS server is an identity provider instance whose own key cache is a moment behind a rotation
  // another instance made: the first refetch serves the old set, a retry shortly after the new one.
  const server = await startJwksServer({ keys: [jwk(k1, 'k1')] });
  clock.now = NOW_MS;
  const p = await policy({ keys: { jwks: server.url }, key_cache: { cooldown: '30s' } }, 'remote-retry');
  clock.now = NOW_MS + 31_000;
  const started = performance.now();
  const tokens = Array.from({ length: 50 }, () => reasonOf(p, signed(k2, 'k2')));
  await until(() => server.total() === 2, 'the first refetch');
  server.jwks = { keys: [jwk(k1, 'k1'), jwk(k2, 'k2')] };
  const reasons = await Promise.all(tokens);
  assert.deepEqual(new Set(reasons), new Set(['OK']), 'no valid token refused');
  assert.ok(performance.now() - started < 2_000, 'within about a second');
  assert.equal(server.total(), 3, 'one retry, shared by the 50 waiting tokens');
  assert.equal(await reasonOf(p, signed(k2, 'k2')), 'OK');
  p.close();
  await server.close();
  clock.now = NOW_MS;
});

test('a failed fetch keeps the last good keys; the failure is counted', async () => {
  const server = await startJwksServer({ keys: [jwk(k1, 'k1')] });
  clock.now = NOW_MS;
  const p = await policy({ keys: { jwks: server.url }, key_cache: { cooldown: '10s' }, cache: false }, 'remote-lastgood');
  const errorsBefore = await metricValue('gatehouse_auth_key_fetches_total', { policy: 'remote-lastgood', result: 'error' });
  server.status = 503;
  clock.now = NOW_MS + 11_000;
  assert.equal(await reasonOf(p, signed(k1, 'unknown')), 'KEY');
  assert.equal(server.total(), 2);
  assert.equal(await metricValue('gatehouse_auth_key_fetches_total', { policy: 'remote-lastgood', result: 'error' }), errorsBefore + 1);
  assert.equal(await reasonOf(p, signed(k1, 'k1')), 'OK', 'k1 still verifies');
  server.status = 200;
  server.jwks = { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'broken' }] };
  clock.now = NOW_MS + 22_000;
  assert.equal(await reasonOf(p, signed(k1, 'other')), 'KEY');
  assert.equal(await reasonOf(p, signed(k1, 'k1')), 'OK', 'a key set with no usable key is a failure too');
  p.close();
  await server.close();
  clock.now = NOW_MS;
});

test('a key change clears the verified-token cache: a token of a removed key stops working at once', async () => {
  const server = await startJwksServer({ keys: [jwk(k1, 'k1')] });
  clock.now = NOW_MS;
  const p = await policy({ keys: { jwks: server.url }, key_cache: { cooldown: '1s' } }, 'remote-rotate');
  const old = signed(k1, 'k1');
  assert.equal(await reasonOf(p, old), 'OK');
  assert.equal(await reasonOf(p, old), 'OK', 'second sighting: cached');
  assert.equal(await reasonOf(p, old), 'OK', 'now from the cache');
  server.jwks = { keys: [jwk(k2, 'k2')] };
  clock.now = NOW_MS + 2_000;
  assert.equal(await reasonOf(p, signed(k2, 'k2')), 'OK', 'rotation found via unknown kid');
  assert.equal(await reasonOf(p, old), 'KEY', 'the cached OK for the removed key is gone');
  p.close();
  await server.close();
  clock.now = NOW_MS;
});

test('OIDC discovery: jwks_uri from the issuer\'s discovery document; a document naming another issuer is refused', async () => {
  const server = await startJwksServer({ keys: [jwk(k1, 'k1')] });
  const issuer = server.origin;
  server.documents.set('/.well-known/openid-configuration', { issuer, jwks_uri: server.url });
  const build = (iss: string) =>
    createAuthPolicy('discovery', { issuer: iss, audience: AUDIENCE, keys: { discovery: true } }, { baseDir: '.', now: frozenNow });
  const p = await build(issuer);
  assert.equal(await reasonOf(p, token({ header: { alg: 'RS256', kid: 'k1' }, claims: validClaims({ iss: issuer }) })), 'OK');
  assert.equal(server.hits.get('/.well-known/openid-configuration'), 1);
  p.close();
  server.documents.set('/.well-known/openid-configuration', { issuer: `${issuer}/`, jwks_uri: server.url });
  await assert.rejects(build(issuer), (e: unknown) => isGatehouseError(e, 'ERR_KEY_FETCH') && /names issuer/.test(e.message));
  server.documents.set('/.well-known/openid-configuration', { issuer, jwks_uri: 'file:///etc/passwd' });
  await assert.rejects(build(issuer), (e: unknown) => isGatehouseError(e, 'ERR_KEY_FETCH') && /jwks_uri/.test(e.message));
  await assert.rejects(
    createAuthPolicy('d2', { issuer, audience: AUDIENCE, keys: { discovery: 'https://elsewhere.example' } }, { baseDir: '.' }),
    (e: unknown) => isGatehouseError(e, 'ERR_CONFIG_INVALID') && /not one of the policy's issuers/.test(e.message),
  );
  await server.close();
});
