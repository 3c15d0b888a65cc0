/**
 * OIDC discovery kept fresh, against real discovery + JWKS servers on 127.0.0.1: a moved `jwks_uri` is
 * followed without a reload (in the background, and when an unknown kid is still unknown after a key
 * set refetch), at most one discovery read per cool-down however many unknown kids ask, a kid still
 * unknown after both gets the key set's bounded retries (a JWKS a moment behind a rotation), a document
 * naming another issuer, broken JSON or a new URL without usable keys keeps the last good URL and keys,
 * and the document's Cache-Control max-age decides the re-read within [min_age, max_age]. Cool-downs run
 * on the tests' frozen clock, moved by hand; background re-reads on short configured ages.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createAuthPolicy, type AuthPolicy } from '../../../src/gateway/auth/index.js';
import { UNKNOWN_KID_RETRY_DELAYS_MS } from '../../../src/gateway/auth/keys/remote-jwks.js';
import type { AuthLogger } from '../../../src/gateway/auth/logging.js';
import { startJwksServer, type JwksServer } from './jwks-server.js';
import { AUDIENCE, clock, frozenNow, metricValue, newRsaKey, NOW_MS, reasonOf, rsaKey, token, until, validClaims } from './support.js';

const DISCOVERY = '/.well-known/openid-configuration';
const k1 = rsaKey();
const k2 = newRsaKey();
const jwk = (k: typeof k1, kid: string) => ({ ...k.publicJwk, kid, use: 'sig', alg: 'RS256' });

interface Provider {
  /** Serves discovery and the first key set (k1) at /jwks; its origin is the issuer. */
  readonly old: JwksServer;
  /** The key set's new home: k1 and k2. */
  readonly moved: JwksServer;
  readonly issuer: string;
  readonly logs: string[];
  signed(k: typeof k1, kid: string): string;
  build(name: string, keyCache: Record<string, string>): Promise<AuthPolicy>;
  moveJwks(): void;
  /** Closes the policies built and both servers, and puts the frozen clock back (also after a failed test). */
  close(): Promise<void>;
}

async function provider(t: TestContext): Promise<Provider> {
  clock.now = NOW_MS;
  const old = await startJwksServer({ keys: [jwk(k1, 'k1')] });
  const moved = await startJwksServer({ keys: [jwk(k1, 'k1'), jwk(k2, 'k2')] });
  const issuer = old.origin;
  old.documents.set(DISCOVERY, { issuer, jwks_uri: old.url, token_endpoint: `${issuer}/token` });
  const logs: string[] = [];
  const record = (level: string) => (obj: object, msg: string) => logs.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  const logger: AuthLogger = { debug: record('debug'), info: record('info'), warn: record('warn') };
  const built: AuthPolicy[] = [];
  let closed = false;
  const idp: Provider = {
    old,
    moved,
    issuer,
    logs,
    signed: (k, kid) => token({ header: { alg: 'RS256', kid }, claims: validClaims({ iss: issuer }), key: k.privateKey }),
    build: async (name, keyCache) => {
      const p = await createAuthPolicy(name, { issuer, audience: AUDIENCE, keys: { discovery: true }, key_cache: keyCache }, { baseDir: '.', now: frozenNow, logger });
      built.push(p);
      return p;
    },
    moveJwks: () => old.documents.set(DISCOVERY, { issuer, jwks_uri: moved.url }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const p of built) p.close();
      clock.now = NOW_MS;
      await old.close();
      await moved.close();
    },
  };
  t.after(() => idp.close());
  return idp;
}

/** Logs hold URLs, kids and problems — never a token or key material. */
function assertNoSecrets(logs: readonly string[], tokens: readonly string[]): void {
  const text = logs.join('\n');
  for (const t of tokens) assert.ok(!text.includes(t) && !text.includes(t.split('.')[2] as string), 'a token was logged');
  for (const k of [k1, k2]) assert.ok(!text.includes(k.publicJwk.n as string), 'key material was logged');
}

test('discovery: a moved jwks_uri is followed by the background re-read, without reload or any request asking', async (t) => {
  const idp = await provider(t);
  idp.old.cacheControlFor.set(DISCOVERY, 'max-age=0');
  const p = await idp.build('disc-bg', { min_age: '50ms', max_age: '1h', cooldown: '1h' });
  const newKeyToken = idp.signed(k2, 'k2');
  assert.equal(await reasonOf(p, newKeyToken), 'KEY', 'k2 is not at the old URL');
  idp.moveJwks();
  await until(() => (idp.moved.hits.get('/jwks') ?? 0) >= 1, 'the new jwks_uri to be fetched');
  assert.equal(await reasonOf(p, newKeyToken), 'OK', 'k2 known from the new URL (no unknown-kid refetch: cool-down is 1h)');
  assert.equal(await reasonOf(p, idp.signed(k1, 'k1')), 'OK');
  assert.equal(idp.old.hits.get('/jwks'), 1, 'the old URL was fetched once, at load');
  assert.ok(idp.logs.some((l) => l.includes('OIDC discovery names a new jwks_uri') && l.includes(idp.moved.url)));
  p.close();
  const reads = idp.old.hits.get(DISCOVERY);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(idp.old.hits.get(DISCOVERY), reads, 'close() stops discovery re-reads');
  assertNoSecrets(idp.logs, [newKeyToken]);
  await idp.close();
});

test('discovery: an unknown kid still unknown after the key set refetch re-reads discovery and follows the moved jwks_uri', async (t) => {
  const idp = await provider(t);
  const p = await idp.build('disc-kid', { min_age: '1h', max_age: '24h', cooldown: '1s' });
  idp.moveJwks();
  const newKeyToken = idp.signed(k2, 'k2');
  assert.equal(await reasonOf(p, newKeyToken), 'KEY', 'within the cool-down: nothing is fetched');
  assert.equal(idp.old.total(), 2, 'discovery + JWKS at load only');
  clock.now = NOW_MS + 2_000;
  assert.equal(await reasonOf(p, newKeyToken), 'OK', 'the same request: JWKS refetch, discovery re-read, new URL fetched');
  assert.equal(idp.old.hits.get('/jwks'), 2);
  assert.equal(idp.old.hits.get(DISCOVERY), 2);
  assert.equal(idp.moved.hits.get('/jwks'), 1);
  // A kid found by the key set refetch alone does not re-read discovery.
  idp.moved.jwks = { keys: [jwk(k1, 'k1'), jwk(k2, 'k2'), jwk(k2, 'k3')] };
  clock.now = NOW_MS + 4_000;
  assert.equal(await reasonOf(p, idp.signed(k2, 'k3')), 'OK');
  assert.equal(idp.moved.hits.get('/jwks'), 2, 'refetched from the new URL');
  assert.equal(idp.old.hits.get(DISCOVERY), 2, 'no discovery read for a kid the refetch found');
  assert.equal(idp.old.hits.get('/jwks'), 2, 'the old URL is no longer used');
  await idp.close();
});

test('discovery: a kid still unknown after the key set refetch and the discovery re-read is retried within a second (bounded, shared)', async (t) => {
  // The identity provider's JWKS is a moment behind a key rotation: the first refetch serves the old
  // set, discovery names the same jwks_uri, a retry shortly after gets the new set.
  const idp = await provider(t);
  const p = await idp.build('disc-retry', { min_age: '1h', max_age: '24h', cooldown: '30s' });
  clock.now = NOW_MS + 31_000;
  const tokens = Array.from({ length: 50 }, () => reasonOf(p, idp.signed(k2, 'k2')));
  await until(() => idp.old.hits.get(DISCOVERY) === 2, 'the key set refetch and the discovery re-read');
  idp.old.jwks = { keys: [jwk(k1, 'k1'), jwk(k2, 'k2')] };
  assert.deepEqual(new Set(await Promise.all(tokens)), new Set(['OK']), 'no valid token refused');
  assert.equal(idp.old.hits.get('/jwks'), 3, 'the refetch and one retry, shared by the 50 waiting tokens');
  assert.equal(idp.old.hits.get(DISCOVERY), 2, 'one discovery re-read');
  assert.equal(idp.moved.total(), 0);
  assert.equal(await reasonOf(p, idp.signed(k2, 'k2')), 'OK');
  await idp.close();
});

test('discovery: a flood of unknown kids causes at most one discovery read per cool-down, shared by all waiters', async (t) => {
  const idp = await provider(t);
  const p = await idp.build('disc-flood', { cooldown: '30s' });
  const okBefore = await metricValue('gatehouse_auth_discovery_fetches_total', { policy: 'disc-flood', result: 'ok' });
  for (let i = 0; i < 200; i++) assert.equal(await reasonOf(p, idp.signed(k1, randomUUID())), 'KEY');
  assert.equal(idp.old.hits.get(DISCOVERY), 1, 'no discovery read within the cool-down');
  assert.equal(idp.old.hits.get('/jwks'), 1);
  clock.now = NOW_MS + 31_000;
  let release = (): void => undefined;
  idp.old.gate = new Promise<void>((r) => (release = r));
  const flood = Array.from({ length: 300 }, () => reasonOf(p, idp.signed(k1, randomUUID())));
  await until(() => idp.old.hits.get('/jwks') === 2, 'the key set refetch to arrive');
  idp.old.gate = undefined;
  release();
  assert.ok((await Promise.all(flood)).every((r) => r === 'KEY'));
  assert.equal(idp.old.hits.get(DISCOVERY), 2, 'exactly one discovery read for 300 unknown kids');
  const retries = UNKNOWN_KID_RETRY_DELAYS_MS.length;
  assert.equal(idp.old.hits.get('/jwks'), 2 + retries, 'and one key set refetch, with its bounded retries (the kids never appear), shared');
  assert.equal(await metricValue('gatehouse_auth_discovery_fetches_total', { policy: 'disc-flood', result: 'ok' }), okBefore + 1);
  for (let i = 0; i < 100; i++) await reasonOf(p, idp.signed(k1, randomUUID()));
  assert.equal(idp.old.hits.get(DISCOVERY), 2, 'none again within the new cool-down');
  clock.now = NOW_MS + 62_000;
  await Promise.all(Array.from({ length: 50 }, () => reasonOf(p, idp.signed(k1, randomUUID()))));
  assert.equal(idp.old.hits.get(DISCOVERY), 3, 'one more after the next cool-down');
  assert.equal(idp.old.hits.get('/jwks'), 3 + 2 * retries);
  await idp.close();
});

test('discovery: another issuer, broken JSON, a bad jwks_uri or a new URL without usable keys keep the last good jwks_uri and keys', async (t) => {
  const idp = await provider(t);
  // A 10 s cool-down on the frozen clock, moved 11 s a step: the retry timers after a failure (10 s of
  // real time) never fire during the test, so every read counted here was asked for by a token.
  const p = await idp.build('disc-bad', { min_age: '1h', max_age: '24h', cooldown: '10s' });
  const metric = (result: string) => metricValue('gatehouse_auth_discovery_fetches_total', { policy: 'disc-bad', result });
  const [invalid0, error0] = [await metric('invalid'), await metric('error')];
  const oldKeyToken = idp.signed(k1, 'k1');
  const newKeyToken = idp.signed(k2, 'k2');
  let step = 0;
  const afterCooldown = () => (clock.now = NOW_MS + ++step * 11_000);

  for (const other of ['https://evil.example', `${idp.issuer}/`]) {
    idp.old.documents.set(DISCOVERY, { issuer: other, jwks_uri: idp.moved.url });
    afterCooldown();
    assert.equal(await reasonOf(p, newKeyToken), 'KEY', `issuer ${other} refused`);
    assert.equal(await reasonOf(p, oldKeyToken), 'OK', 'the old keys still verify');
  }
  assert.equal(await metric('invalid'), invalid0 + 2);
  assert.equal(idp.moved.total(), 0, 'the jwks_uri of a document naming another issuer is never fetched');
  assert.ok(idp.logs.some((l) => l.startsWith('warn auth: OIDC discovery failed') && l.includes('evil.example') && l.includes(idp.old.url)));

  idp.old.documents.set(DISCOVERY, `{"issuer": "${idp.issuer}", "jwks_uri": `);
  afterCooldown();
  assert.equal(await reasonOf(p, newKeyToken), 'KEY');
  assert.equal(await reasonOf(p, oldKeyToken), 'OK', 'broken JSON keeps the old keys');
  assert.equal(await metric('error'), error0 + 1);
  assert.ok(idp.logs.some((l) => l.includes('not JSON')));

  idp.old.documents.set(DISCOVERY, { issuer: idp.issuer, jwks_uri: 'file:///etc/passwd' });
  afterCooldown();
  assert.equal(await reasonOf(p, newKeyToken), 'KEY');
  assert.equal(await metric('invalid'), invalid0 + 3);

  // A valid document whose new jwks_uri serves no usable key set: the old URL and keys stay.
  idp.moveJwks();
  idp.moved.status = 503;
  afterCooldown();
  assert.equal(await reasonOf(p, newKeyToken), 'KEY');
  assert.equal(idp.moved.hits.get('/jwks'), 1, 'the new URL was tried');
  assert.equal(await reasonOf(p, oldKeyToken), 'OK');
  const oldFetches = idp.old.hits.get('/jwks') ?? 0;
  afterCooldown();
  idp.moved.status = 200;
  assert.equal(await reasonOf(p, newKeyToken), 'OK', 'followed once the new URL works');
  assert.equal(idp.old.hits.get('/jwks'), oldFetches + 1, 'the unknown-kid refetch still went to the old URL first');
  // per cool-down one JWKS refetch and one discovery read; the key set's retries after the five reads
  // that left k2 unknown, not after the last, which found it
  assert.equal(idp.old.total(), 2 + 6 * 2 + 5 * UNKNOWN_KID_RETRY_DELAYS_MS.length, 'one JWKS refetch, one discovery read and the bounded retries per cool-down');
  assertNoSecrets(idp.logs, [oldKeyToken, newKeyToken]);
  await idp.close();
});

/** Intervals (ms) between the first `n` discovery reads. */
async function discoveryIntervals(idp: Provider, n: number): Promise<number[]> {
  await until(() => (idp.old.hitTimes.get(DISCOVERY)?.length ?? 0) >= n, `${n} discovery reads`);
  const times = (idp.old.hitTimes.get(DISCOVERY) ?? []).slice(0, n);
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

test('discovery: the re-read follows the document\'s Cache-Control max-age, clamped to [min_age, max_age]', async (t) => {
  const cases = [
    { cacheControl: 'max-age=1', keyCache: { min_age: '50ms', max_age: '1h' }, low: 1_000, high: 2_500, what: 'max-age=1 within the bounds: 1 s' },
    { cacheControl: 'public, max-age=3600', keyCache: { min_age: '50ms', max_age: '250ms' }, low: 250, high: 900, what: 'max-age above max_age: max_age' },
    { cacheControl: 'no-store', keyCache: { min_age: '300ms', max_age: '1h' }, low: 300, high: 1_000, what: 'no-store: min_age' },
    { cacheControl: 'max-age=0', keyCache: { min_age: '300ms', max_age: '1h' }, low: 300, high: 1_000, what: 'max-age below min_age: min_age' },
  ];
  await Promise.all(
    cases.map(async ({ cacheControl, keyCache, low, high, what }, i) => {
      const idp = await provider(t);
      idp.old.cacheControlFor.set(DISCOVERY, cacheControl);
      const p = await idp.build(`disc-cc-${i}`, { ...keyCache, cooldown: '1h' });
      for (const gap of await discoveryIntervals(idp, 3)) {
        assert.ok(gap >= low - 5 && gap < high, `${what}: re-read after ${Math.round(gap)} ms, wanted [${low}, ${high})`);
      }
      await idp.close();
    }),
  );
});
