/**
 * `tracing:` is validated at load like the rest of the config: every problem with its key path, the
 * documented defaults otherwise; no tracing without the block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_DEFAULTS, parseGatewayConfig } from '../../../../src/gateway/index.js';
import { configProblems } from '../../support/config-problems.js';

const base = { frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } }, backends: { app: { servers: { s: { address: '127.0.0.1:1' } } } } };

test('tracing problems are reported with their key paths', () => {
  const message = configProblems({
    ...base,
    tracing: { endpoint: 'collector:4318', sample_ratio: 1.5, parent_based: 'yes', export_interval: 'soon', max_queue: 0, colour: 'blue' },
  });
  assert.match(message, /tracing\.endpoint: expected an http\(s\) URL like http:\/\/collector:4318\/v1\/traces/);
  assert.match(message, /tracing\.sample_ratio: expected a number from 0 to 1/);
  assert.match(message, /tracing\.parent_based: /);
  assert.match(message, /tracing\.export_interval: expected a duration/);
  assert.match(message, /tracing\.max_queue: /);
  assert.match(message, /tracing: .*colour/);
  assert.match(configProblems({ ...base, tracing: {} }), /tracing\.endpoint: /, 'the endpoint is required');
  const withCredentials = configProblems({ ...base, tracing: { endpoint: 'https://user:hunter2@collector.example/v1/traces' } });
  assert.match(withCredentials, /tracing\.endpoint: no credentials in the URL/);
  assert.ok(!withCredentials.includes('hunter2'), 'the password is not repeated in the error');
});

test('tracing defaults: every new trace sampled, parent-based, service gatehouse, 5 s export interval', () => {
  const config = parseGatewayConfig({ ...base, tracing: { endpoint: 'http://127.0.0.1:4318/v1/traces' } }, '/tmp');
  assert.deepEqual(config.tracing, { endpoint: 'http://127.0.0.1:4318/v1/traces', ...GATEWAY_DEFAULTS.tracing });
  // the values docs/configuration.md states
  assert.equal(config.tracing?.sample_ratio, 1);
  assert.equal(config.tracing?.parent_based, true);
  assert.equal(config.tracing?.export_interval, 5_000);
  assert.equal(parseGatewayConfig(base, '/tmp').tracing, undefined, 'no tracing without the block');
});
