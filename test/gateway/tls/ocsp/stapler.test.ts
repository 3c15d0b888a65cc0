/**
 * A stapler on a frozen clock: a verified response is stapled until its nextUpdate, then never again
 * (logged); a `.ocsp` file that has already expired fails the load in file mode and is only a starting
 * point in auto mode. The config refuses bad `tls.ocsp` values with their key paths, and `gatehouse check`
 * verifies `.ocsp` files without fetching anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../../src/shared/logger.js';
import { NO_OCSP_OBSERVER, OcspStapler, ocspTarget } from '../../../../src/gateway/tls/ocsp/index.js';
import { ocspSchema } from '../../../../src/gateway/tls/schema.js';
import { configProblems } from '../../support/config-problems.js';
import { CLI } from '../../support/gateway-process.js';
import { createOcspPki } from '../support/ocsp.js';

function capture() {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { logger: createLogger({ name: 'test', level: 'info', destination: stream }), lines };
}

test('a stapled response stops being served the moment its nextUpdate passes; an expired file fails file mode, not auto', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const leaf = pki.issue('site', 'site.test');
  const response = pki.respond(leaf, { minutes: 60 });
  writeFileSync(`${leaf.certFile}.ocsp`, response);
  const target = ocspTarget(leaf.certFile, readFileSync(leaf.certFile, 'utf8'), { baseDir: pki.dir });
  const { logger, lines } = capture();
  let clock = Date.now();
  const stapler = new OcspStapler(target, ocspSchema.parse({ mode: 'file' }), { frontend: 'web', logger, observer: NO_OCSP_OBSERVER, live: false, now: () => clock });
  assert.ok(stapler.staple()?.equals(response));
  clock += 59 * 60_000;
  assert.ok(stapler.staple()?.equals(response), 'a minute before nextUpdate: still stapled');
  clock += 61_000;
  assert.equal(stapler.staple(), undefined, 'past nextUpdate: not stapled');
  assert.deepEqual(stapler.expires(), { stapled: false, nextUpdate: undefined });
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(lines.some((l) => l.msg === 'OCSP response expired: no longer stapled' && l.level === 40));
  clock -= 2 * 60_000;
  assert.equal(stapler.staple(), undefined, 'an expired response is dropped, not kept for later');

  const later = () => Date.now() + 2 * 3_600_000;
  assert.throws(
    () => new OcspStapler(target, ocspSchema.parse({ mode: 'file' }), { frontend: 'web', logger, observer: NO_OCSP_OBSERVER, live: false, now: later }),
    (e: Error & { code?: string }) => e.code === 'ERR_TLS_OCSP' && e.message.includes(`${leaf.certFile}.ocsp`) && /has passed/.test(e.message),
  );
  const auto = new OcspStapler(target, ocspSchema.parse({ mode: 'auto' }), { frontend: 'web', logger, observer: NO_OCSP_OBSERVER, live: false, now: later });
  assert.equal(auto.staple(), undefined, 'auto mode: the expired file is not stapled, and not an error');
});

test('tls.ocsp: bad values are refused with their key paths; a string is the mode', () => {
  const withOcsp = (ocsp: unknown) => ({ frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: 'a.pem', key: 'a.key', ocsp } } }, backends: { app: { servers: { a: { address: '127.0.0.1:9' } } } } });
  assert.match(configProblems(withOcsp('on')), /frontends\.web\.tls\.ocsp\.mode: expected off, file or auto/);
  assert.match(configProblems(withOcsp({ mode: 'auto', responder: 'ldap://x' })), /frontends\.web\.tls\.ocsp\.responder: expected an http:\/\/ or https:\/\/ URL/);
  assert.match(configProblems(withOcsp({ mode: 'auto', min_refresh: '2h', max_refresh: '1h' })), /frontends\.web\.tls\.ocsp\.min_refresh: expected min_refresh no longer than max_refresh/);
  assert.match(configProblems(withOcsp({ mode: 'auto', refresh: '1h' })), /frontends\.web\.tls\.ocsp/);
  assert.match(configProblems(withOcsp({ mode: 'auto', timeout: 'soon' })), /frontends\.web\.tls\.ocsp\.timeout: expected a duration/);
  assert.deepEqual(ocspSchema.parse({}), { mode: 'off', timeout: 10_000, min_refresh: 300_000, max_refresh: 3_600_000, retry: 30_000 });
});

test('gatehouse check verifies the .ocsp files (a wrong one fails, naming it) and needs no responder in auto mode', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const leaf = pki.issue('site', 'site.test');
  const other = pki.issue('other', 'other.test');
  const yaml = (mode: string) => `frontends:\n  web: { bind: "127.0.0.1:0", default_backend: app, tls: { cert: ./site.pem, key: ./site.key, ocsp: ${mode} } }\nbackends:\n  app: { servers: { a: { address: "127.0.0.1:9" } } }\n`;
  writeFileSync(join(pki.dir, 'file.yaml'), yaml('file'));
  writeFileSync(join(pki.dir, 'auto.yaml'), yaml('auto'));
  const check = (file: string) => spawnSync(process.execPath, [CLI, 'check', '--config', join(pki.dir, file)], { encoding: 'utf8', timeout: 20_000 });
  writeFileSync(`${leaf.certFile}.ocsp`, pki.respond(leaf));
  assert.equal(check('file.yaml').status, 0);
  // no responder listens: auto mode would fail a fetch, but check does not fetch
  assert.equal(check('auto.yaml').status, 0);
  writeFileSync(`${leaf.certFile}.ocsp`, pki.respond(other));
  const bad = check('file.yaml');
  assert.equal(bad.status, 1);
  assert.match(bad.stdout + bad.stderr, /site\.pem\.ocsp is refused: about another certificate/);
});
