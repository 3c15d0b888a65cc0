/** Metrics: decisions by reason, cache lookups and admissions, key fetches by result, key age — in authMetricsRegistry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authMetricsRegistry } from '../../../src/gateway/auth/index.js';
import { startJwksServer } from './jwks-server.js';
import { clock, flipSignatureBit, NOW_MS, policy, reasonOf, rsaKey, token } from './support.js';

test('decisions by reason, cache hits, key fetches and key age appear in the Prometheus text', async () => {
  clock.now = NOW_MS;
  const server = await startJwksServer({ keys: [{ ...rsaKey().publicJwk, kid: 'k' }] });
  const p = await policy({ keys: { jwks: server.url } }, 'metrics-demo');
  const good = token({ header: { alg: 'RS256', kid: 'k' } });
  await reasonOf(p, good);
  await reasonOf(p, good); // cached from its second sighting
  await reasonOf(p, good);
  await reasonOf(p, flipSignatureBit(good));
  await p.authorize({ method: 'GET', path: '/', headers: {} });
  clock.now = NOW_MS + 42_000;
  const text = await authMetricsRegistry.metrics();
  assert.match(text, /gatehouse_auth_decisions_total\{policy="metrics-demo",result="allow",reason="OK"\} 3/);
  assert.match(text, /gatehouse_auth_decisions_total\{policy="metrics-demo",result="deny",reason="SIG"\} 1/);
  assert.match(text, /gatehouse_auth_decisions_total\{policy="metrics-demo",result="deny",reason="MISSING"\} 1/);
  assert.match(text, /gatehouse_auth_cache_lookups_total\{policy="metrics-demo",result="hit"\} 1/);
  assert.match(text, /gatehouse_auth_cache_lookups_total\{policy="metrics-demo",result="miss"\} 3/);
  assert.match(text, /gatehouse_auth_cache_admissions_total\{policy="metrics-demo",result="admitted"\} 1/);
  assert.doesNotMatch(text, /gatehouse_auth_cache_admissions_total\{policy="metrics-demo",result="rejected"\}/, 'nothing was kept out of a cache with room');
  assert.match(text, /gatehouse_auth_key_fetches_total\{policy="metrics-demo",result="ok"\} 1/);
  assert.match(text, /gatehouse_auth_key_age_seconds\{policy="metrics-demo"\} 42/);
  p.close();
  assert.doesNotMatch(await authMetricsRegistry.metrics(), /gatehouse_auth_key_age_seconds\{policy="metrics-demo"\}/, 'a closed policy reports no key age');
  await server.close();
  clock.now = NOW_MS;
});
