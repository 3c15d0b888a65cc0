import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGatewayConfig, loadGatewayConfig, GATEWAY_DEFAULTS } from '../../src/gateway/index.js';
import { configProblems } from './support/config-problems.js';
import { isGatehouseError } from '../../src/shared/errors.js';
import { CLI, tempDir } from './support/gateway-process.js';

const SEED = `
frontends:
  myfrontend:
    bind: 0.0.0.0:8080
    default_backend: webservers
backends:
  webservers:
    balance: roundrobin
    check: { path: /health, interval: 2s, rise: 2, fall: 3 }
    servers:
      s1: { address: 127.0.0.1:9001, weight: 1 }
      s2: { address: 127.0.0.1:9002 }
`;

const problems = configProblems;

test("the seed's HAProxy setup fits in the issue's short config and gets documented defaults", () => {
  const dir = tempDir();
  const path = join(dir, 'gatehouse.yaml');
  writeFileSync(path, SEED);
  const config = loadGatewayConfig(path);
  assert.deepEqual(config.frontends.myfrontend?.bind, { host: '0.0.0.0', port: 8080 });
  const backend = config.backends.webservers!;
  assert.equal(backend.check?.interval, 2_000);
  assert.equal(backend.check?.method, 'GET');
  assert.deepEqual(backend.check?.expect_status, [200, 399]);
  assert.equal(backend.servers.s2?.weight, 1);
  assert.equal(backend.retries, GATEWAY_DEFAULTS.backend.retries);
  assert.equal(config.timeouts.http_request, GATEWAY_DEFAULTS.timeouts.http_request);
  assert.equal(config.baseDir, dir);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.backends.webservers?.servers.s1));
});

test('every problem is reported at once, each with its key path', () => {
  const message = problems({
    frontends: {
      web: { bind: 'nope', default_backend: 'missing', routes: [{ path_prefix: '/api', backend: 'ghost', auth: 'fusionauth' }] },
    },
    backends: {
      webservers: { balance: 'fastest', servers: { s1: { address: '127.0.0.1:9001' }, s2: { address: '127.0.0.1' } }, check: { interval: 'soon' } },
    },
    timeouts: { connect: -3 },
    surprise: true,
  });
  assert.match(message, /frontends\.web\.bind: expected host:port/);
  assert.match(message, /backends\.webservers\.servers\.s2\.address: expected host:port/);
  assert.match(message, /backends\.webservers\.balance: expected roundrobin, leastconn, random, source, uri or hdr\(<header name>\)/);
  assert.match(message, /backends\.webservers\.check\.interval: expected a duration/);
  assert.match(message, /timeouts\.connect: /);
  assert.match(message, /Unrecognized key.*surprise/);
});

test('references to missing backends and auth policies fail at load with the key path', () => {
  const message = problems({
    frontends: {
      web: { bind: '127.0.0.1:0', default_backend: 'missing', auth: 'nobody', routes: [{ path_prefix: '/api', backend: 'ghost', auth: { policy: 'fusionauth', roles: ['admin'] } }] },
      other: { bind: '127.0.0.1:0' },
    },
    backends: { b: { servers: { s1: { address: '127.0.0.1:1' } } } },
  });
  assert.match(message, /frontends\.web\.default_backend: unknown backend "missing"/);
  assert.match(message, /frontends\.web\.routes\[0\]\.backend: unknown backend "ghost"/);
  assert.match(message, /frontends\.web\.routes\[0\]\.auth: unknown policy "fusionauth"/);
  assert.match(message, /frontends\.web\.auth: unknown policy "nobody"/);
  assert.match(message, /frontends\.other: expected a default_backend or at least one route/);
});

test('two frontends on the same address are refused; port 0 may repeat', () => {
  const backends = { b: { servers: { s1: { address: '127.0.0.1:1' } } } };
  assert.match(
    problems({ frontends: { a: { bind: '127.0.0.1:8080', default_backend: 'b' }, c: { bind: '127.0.0.1:8080', default_backend: 'b' } }, backends }),
    /frontends\.c\.bind: 127\.0\.0\.1:8080 is already bound by frontends\.a/,
  );
  const config = parseGatewayConfig({ frontends: { a: { bind: '127.0.0.1:0', default_backend: 'b' }, c: { bind: '127.0.0.1:0', default_backend: 'b' } }, backends }, '/tmp');
  assert.equal(config.frontends.c?.bind.port, 0);
});

test('a route path_prefix must already be normalised', () => {
  const message = problems({
    frontends: { web: { bind: '127.0.0.1:0', routes: [{ path_prefix: '/a/../admin', backend: 'b' }, { path_prefix: 'api', backend: 'b' }] } },
    backends: { b: { servers: { s1: { address: '127.0.0.1:1' } } } },
  });
  assert.match(message, /frontends\.web\.routes\[0\]\.path_prefix: expected a normalised path/);
  assert.match(message, /frontends\.web\.routes\[1\]\.path_prefix: expected a path starting with \//);
});

test('YAML syntax errors and unreadable files have their own clear errors', () => {
  const dir = tempDir();
  const path = join(dir, 'broken.yaml');
  writeFileSync(path, 'frontends:\n  web: { bind: [\n');
  assert.throws(() => loadGatewayConfig(path), (e: unknown) => isGatehouseError(e, 'ERR_CONFIG_INVALID') && /YAML/.test(e.message));
  writeFileSync(path, 'a: 1\na: 2\n');
  assert.throws(() => loadGatewayConfig(path), (e: unknown) => isGatehouseError(e, 'ERR_CONFIG_INVALID'));
  assert.throws(() => loadGatewayConfig(join(dir, 'absent.yaml')), (e: unknown) => isGatehouseError(e, 'ERR_CONFIG_READ'));
});

test('gatehouse check: exit 0 for a valid file, 1 with every problem for an invalid one', () => {
  const dir = tempDir();
  const good = join(dir, 'good.yaml');
  writeFileSync(good, SEED);
  const ok = spawnSync(process.execPath, [CLI, 'check', '--config', good], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /OK \(1 frontend\(s\), 1 backend\(s\), 2 server\(s\)/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, SEED.replace('127.0.0.1:9002', '127.0.0.1').replace('default_backend: webservers', 'default_backend: nowhere'));
  const refused = spawnSync(process.execPath, [CLI, 'check', '--config', bad], { encoding: 'utf8' });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /backends\.webservers\.servers\.s2\.address: expected host:port/);
  assert.match(refused.stderr, /frontends\.myfrontend\.default_backend: unknown backend "nowhere"/);
  assert.match(refused.stderr, /ERR_CONFIG_INVALID/);
  const usage = spawnSync(process.execPath, [CLI, 'check'], { encoding: 'utf8' });
  assert.equal(usage.status, 1);
  assert.match(usage.stderr, /--config <file> is required/);
});

test('gatehouse gateway with an invalid config exits non-zero without listening', () => {
  const dir = tempDir();
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'frontends:\n  web: { bind: "127.0.0.1:0", default_backend: nowhere }\n');
  const result = spawnSync(process.execPath, [CLI, 'gateway', '--config', bad], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /frontends\.web\.default_backend: unknown backend "nowhere"/);
  assert.doesNotMatch(result.stdout, /listening/);
});

test('gateway flags: --help, a bad --workers value, workers: auto accepted', () => {
  const help = spawnSync(process.execPath, [CLI, 'gateway', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--workers <n>/);
  const bad = spawnSync(process.execPath, [CLI, 'gateway', '--config', 'x.yaml', '--workers', 'lots'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--workers expects a number of workers or auto \(ERR_USAGE\)/);
  const config = parseGatewayConfig({ workers: 'auto', frontends: { a: { bind: '127.0.0.1:0', default_backend: 'b' } }, backends: { b: { servers: { s: { address: '127.0.0.1:1' } } } } }, '/tmp');
  assert.equal(config.workers, 'auto');
  assert.match(problems({ workers: 0, frontends: { a: { bind: '127.0.0.1:0', default_backend: 'b' } }, backends: { b: { servers: { s: { address: '127.0.0.1:1' } } } } }), /workers: /);
});

test('a missing required key is named as missing, and a YAML syntax error gives its line and column without the parser\'s dangling colon', () => {
  const dir = tempDir();
  const missing = join(dir, 'missing.yaml');
  writeFileSync(missing, 'frontends:\n  web: { bind: 127.0.0.1:0, default_backend: app }\nbackends:\n  app:\n    servers:\n      a: {}\n');
  assert.throws(() => loadGatewayConfig(missing), (error: Error) => {
    assert.match(error.message, /backends\.app\.servers\.a\.address: required, missing \(expected string\)/);
    assert.doesNotMatch(error.message, /Invalid input/);
    return true;
  });
  const wrongType = join(dir, 'wrong-type.yaml');
  writeFileSync(wrongType, 'frontends:\n  web: { bind: 127.0.0.1:0, default_backend: app }\nbackends:\n  app:\n    servers: []\n');
  assert.throws(() => loadGatewayConfig(wrongType), /backends\.app\.servers: expected record, received array/);
  const syntax = join(dir, 'syntax.yaml');
  writeFileSync(syntax, 'frontends:\n  web: [\n bind: x\n');
  assert.throws(() => loadGatewayConfig(syntax), (error: Error) => {
    assert.match(error.message, /YAML line 3, column 2: /);
    for (const line of error.message.split('\n').filter((l) => l.includes('YAML'))) assert.doesNotMatch(line, /:\s*(\(ERR_CONFIG_INVALID\))?$/, `a problem ends with a colon: ${line}`);
    return true;
  });
});
