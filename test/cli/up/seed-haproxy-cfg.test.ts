/**
 * `up` writes the seed's own haproxy.cfg next to gatehouse.yaml: its JWT lines are the seed's verbatim, and
 * Gatehouse loads it to the same policy, frontend and backend as the gatehouse.yaml with pubkey.pem
 * (only the claim headers gatehouse.yaml forwards are not in the seed, nor its stricter-than-the-seed
 * `require_registration`, which HAProxy's language has no rule for).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemoState } from '../../../src/cli/up/demo-state.js';
import { renderGatewayConfig } from '../../../src/cli/up/gateway-config.js';
import { renderSeedHaproxyConfig } from '../../../src/cli/up/haproxy-config.js';
import { loadGatewayConfig } from '../../../src/gateway/config/index.js';
import { tempDir } from '../../gateway/support/gateway-process.js';
import { rsaKey } from '../../gateway/auth/support.js';
import { seedRules } from '../../gateway/auth/e2e/seed-setup.js';

test("the written haproxy.cfg holds the seed's JWT lines and loads to the gatehouse.yaml's policy", (t) => {
  const dir = tempDir('gatehouse-up-cfg-');
  const state = generateDemoState({ idpUrl: 'http://localhost:9011', gatewayUrl: 'http://localhost:8080', echoUrl: 'http://localhost:9001' });
  const publicKeyPath = join(dir, 'pubkey.pem');
  writeFileSync(publicKeyPath, rsaKey().publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const common = { state, host: '127.0.0.1', gatewayPort: 8080, echoAddress: '127.0.0.1:9001', dataDirDisplay: './data' };
  const cfg = renderSeedHaproxyConfig({ ...common, publicKeyPath });
  // the seed's lines (test/gateway/auth/e2e/seed-setup.ts holds them as the seed prints them)
  assert.ok(cfg.includes(seedRules(state.issuer, state.applicationId, publicKeyPath)), "the seed's JWT lines, verbatim");
  writeFileSync(join(dir, 'haproxy.cfg'), cfg);
  writeFileSync(join(dir, 'gatehouse.yaml'), renderGatewayConfig({ ...common, workers: 1, keys: 'file' }));
  const fromCfg = loadGatewayConfig(join(dir, 'haproxy.cfg'));
  const fromYaml = loadGatewayConfig(join(dir, 'gatehouse.yaml'));
  const policy = fromCfg.auth['myfrontend-jwt'];
  const seed = fromYaml.auth.seed;
  assert.ok(policy !== undefined && seed !== undefined);
  assert.deepEqual({ ...policy, keys: undefined, forward: undefined, require_registration: undefined }, { ...seed, keys: undefined, forward: undefined, require_registration: undefined });
  assert.deepEqual([policy.require_registration, seed.require_registration], [false, true], 'the seed file checks what the seed checks; gatehouse.yaml also requires a registration');
  assert.deepEqual([policy.keys, seed.keys], [{ file: publicKeyPath }, { file: './pubkey.pem' }]);
  assert.deepEqual(fromCfg.frontends.myfrontend?.bind, fromYaml.frontends.myfrontend?.bind);
  assert.equal(fromCfg.frontends.myfrontend?.auth, 'myfrontend-jwt');
  assert.deepEqual(fromCfg.backends.webservers?.servers, { s1: { address: { host: '127.0.0.1', port: 9001 }, weight: 1, backup: false, state: 'ready' } });
  t.diagnostic('haproxy.cfg and gatehouse.yaml load to the same seed policy');
});
