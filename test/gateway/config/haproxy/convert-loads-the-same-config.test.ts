/**
 * `gatehouse convert haproxy.cfg` prints a gatehouse.yaml that loads to exactly the config the .cfg
 * loads to, with comments naming the source lines; a file that cannot be translated exits 1 naming the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGatewayConfig } from '../../../../src/gateway/config/index.js';
import { CLI, tempDir } from '../../support/gateway-process.js';
import { seedCfg } from './seed-cfg.js';
import { COMMON_CFG } from './common-cfg.js';
import { conditionsCfg } from './conditions-cfg.js';

function convertAndCompare(cfg: string): string {
  const dir = tempDir('gatehouse-convert-');
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, cfg);
  const run = spawnSync(process.execPath, [CLI, 'convert', cfgPath], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const yamlPath = join(dir, 'gatehouse.yaml');
  writeFileSync(yamlPath, run.stdout);
  const { source: _a, ...fromCfg } = loadGatewayConfig(cfgPath);
  const { source: _b, ...fromYaml } = loadGatewayConfig(yamlPath);
  assert.deepEqual(fromYaml, fromCfg);
  return run.stdout;
}

test("the seed's converted file loads to the same config, the policy commented with the JWT rules' lines", () => {
  const yaml = convertAndCompare(seedCfg({ bind: '127.0.0.1:8080', upstream: '127.0.0.1:9000', pubkeyPath: '/etc/haproxy/pubkey.pem' }));
  assert.match(yaml, /# .*haproxy\.cfg:14-31: the seed's JWT rules \(http-request set-var\/deny\)\n  myfrontend-jwt:\n    response: seed/);
  assert.match(yaml, /# .*haproxy\.cfg:13: bind 127\.0\.0\.1:8080\n    bind: 127\.0\.0\.1:8080/);
});

test('a realistic converted file loads to the same config; each route names its line', () => {
  const yaml = convertAndCompare(COMMON_CFG);
  const lineOf = (needle: string) => COMMON_CFG.split('\n').findIndex((l) => l.includes(needle)) + 1;
  assert.match(yaml, new RegExp(`# .*haproxy\\.cfg:${lineOf('use_backend api')}: use_backend api if is_api is_get \\|\\| host_shop\\n\\s+- path_prefix: /api`));
  assert.match(yaml, new RegExp(`# .*haproxy\\.cfg:${lineOf('server a2')}: server a2 10\\.0\\.0\\.2:8080 check backup\\n\\s+a2:`));
});

test('conditions and header rules (match, request_header_rules, a backend\'s answers) convert to a file that loads to the same config', () => {
  const yaml = convertAndCompare(conditionsCfg({ api: '127.0.0.1:9001', writes: '127.0.0.1:9002', web: '127.0.0.1:9003' }).replace('"127.0.0.1:${PORT}"', '127.0.0.1:8080'));
  assert.match(yaml, /request_header_rules:/);
  assert.match(yaml, /# .*haproxy\.cfg:\d+: http-request deny deny_status 405 content-type text\/plain string "read only" if \{ method DELETE \}\n/, "the backend's answer route names its line");
});

test('an untranslatable file is not converted: exit 1, the problem names file:line', () => {
  const dir = tempDir('gatehouse-convert-');
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, 'defaults\n  mode http\nfrontend f\n  bind :80\n  http-request silent-drop\n  default_backend b\nbackend b\n  server s 1.2.3.4:80\n');
  const run = spawnSync(process.execPath, [CLI, 'convert', cfgPath], { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /haproxy\.cfg:5: "http-request silent-drop": http-request silent-drop; not supported/);
  const lenient = spawnSync(process.execPath, [CLI, 'convert', cfgPath, '--lenient'], { encoding: 'utf8' });
  assert.equal(lenient.status, 0, lenient.stderr);
  assert.match(lenient.stdout, /# WARNING: .*haproxy\.cfg:5: .*silent-drop.*\(ignored: --lenient\)/);
});
