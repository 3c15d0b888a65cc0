/**
 * A path_prefix (or rewrite_prefix) that no normalised request path can begin with would protect nothing:
 * `path_prefix: /%70rivate` with auth would let `/%70rivate/x` (normalised to `/private/x`) fall to the
 * default backend. Such prefixes are refused at load with the key path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatewayConfig } from '../../../src/gateway/index.js';
import { configProblems } from '../support/config-problems.js';

const withRoute = (route: Record<string, unknown>) => ({
  frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', routes: [{ backend: 'app', ...route }] } },
  backends: { app: { servers: { a: { address: '127.0.0.1:1' } } } },
});

test('a prefix the gateway would never see in a normalised request path is refused at load', () => {
  for (const prefix of ['/%70rivate', '/private%2e', '/private.', '/private%20', '/a%2fb', '/a%252e', '/x/..;', '/caf%c3%a9']) {
    assert.match(configProblems(withRoute({ path_prefix: prefix })), /routes\[0\]\.path_prefix.*expected a path as the gateway normalises requests/, prefix);
  }
  assert.match(configProblems(withRoute({ path_prefix: '/api', rewrite_prefix: '/%76' })), /routes\[0\]\.rewrite_prefix/);
});

test('normalised prefixes are accepted', () => {
  for (const prefix of ['/', '/api', '/api/', '/v1;x', '/caf%C3%A9', '/a-b_c~d']) {
    assert.doesNotThrow(() => parseGatewayConfig(withRoute({ path_prefix: prefix }), '/tmp'), prefix);
  }
});
