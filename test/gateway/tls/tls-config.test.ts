/**
 * TLS configuration is checked once at load, every problem with its key path; certificate files are
 * checked before anything listens (missing, not a certificate, a key that is not the certificate's,
 * expired), and errors never carry key material. Bad bytes on a TLS port cost a connection, never the
 * gateway.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { connect as h2Connect } from 'node:http2';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGatewayConfig, startGateway } from '../../../src/gateway/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { createLogger } from '../../../src/shared/logger.js';
import { startUpstream } from '../support/upstream.js';
import { startInProcess } from '../support/in-process.js';
import { createPki } from './support/pki.js';
import { spawnSync } from 'node:child_process';
import { CLI } from '../support/gateway-process.js';
import { httpsGet } from './support/clients.js';

const backends = { app: { servers: { a: { address: '127.0.0.1:9' } } } };
const withFrontend = (web: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', ...web } }, backends, ...extra });

function problems(input: unknown): string {
  try {
    parseGatewayConfig(input, process.cwd());
  } catch (error) {
    assert.ok(isGatehouseError(error, 'ERR_CONFIG_INVALID'));
    return (error as Error).message;
  }
  assert.fail('expected the config to be refused');
}

test('schema: each TLS problem is reported with its key path, all at once', () => {
  const message = problems({
    frontends: {
      web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: './a.pem', min_version: 'TLSv1.1', ciphers: 'RC4;rm -rf', hsts: { max_age: 'forever' } } },
      both: { bind: '127.0.0.1:0', default_backend: 'app', redirect_https: true, tls: { cert: './a.pem', key: './a.key', client_certificates: { mode: 'sometimes' } } },
      plain: { bind: '127.0.0.1:0', redirect_https: { port: 70000 } },
    },
    backends: { app: { tls: { verify: 'no', servername: 'bad name!' }, servers: { a: { address: '127.0.0.1:9' } } } },
  });
  for (const expected of [
    'frontends.web.tls.min_version: expected TLSv1.2 or TLSv1.3',
    'frontends.web.tls.ciphers: expected an OpenSSL cipher list',
    'frontends.web.tls.hsts.max_age: expected a duration like 365d',
    'frontends.both.tls.client_certificates.ca',
    'frontends.both.tls.client_certificates.mode: expected required or optional',
    'frontends.plain.redirect_https',
    'backends.app.tls.verify',
    'backends.app.tls.servername: expected a host name',
  ]) assert.ok(message.includes(expected), `${expected}\n---\n${message}`);
  assert.match(problems(withFrontend({ tls: { cert: 'a', key: 'b', ciphers: 'NO-SUCH-CIPHER:ALSO-NOT' } })), /frontends\.web\.tls\.ciphers: OpenSSL knows none of these ciphers/);
  assert.match(problems(withFrontend({ tls: { cert: 'a.pem' } })), /frontends\.web\.tls\.key: expected cert and key together/);
  assert.match(problems(withFrontend({ tls: {} })), /frontends\.web\.tls: expected cert and key \(or a list of certificates\)/);
  assert.match(
    problems({ frontends: { web: { bind: '127.0.0.1:0', redirect_https: true, tls: { cert: 'a', key: 'b' } } }, backends }),
    /frontends\.web\.redirect_https: a TLS frontend cannot redirect to https/,
  );
});

test('schema: defaults (TLS 1.2, modern ciphers, HTTP/2 on, no HSTS); a redirecting frontend needs no backend', () => {
  const config = parseGatewayConfig(withFrontend({ tls: { cert: 'a.pem', key: 'a.key' } }), '/etc/gatehouse');
  const tls = config.frontends.web?.tls;
  assert.equal(tls?.min_version, 'TLSv1.2');
  assert.equal(tls?.http2, true);
  assert.equal(tls?.hsts, undefined);
  assert.ok(!/CBC|SHA1|RC4|3DES|(^|:)AES128-SHA/.test(tls?.ciphers ?? 'x'), 'no CBC-SHA1 or RSA key exchange suites');
  const hsts = parseGatewayConfig(withFrontend({ tls: { cert: 'a', key: 'b', hsts: {} } }), '/').frontends.web?.tls?.hsts;
  assert.deepEqual(hsts, { max_age: 31_536_000, include_subdomains: false, preload: false });
  assert.ok(parseGatewayConfig({ frontends: { r: { bind: '127.0.0.1:0', redirect_https: true } } }, '/').frontends.r);
});

test('start: a missing file, a non-certificate, a foreign key and an expired certificate are refused by name, without key material', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const a = pki.issue('a', ['localhost']);
  const b = pki.issue('b', ['localhost']);
  const expired = pki.expired('old', ['localhost']);
  writeFileSync(join(pki.dir, 'junk.pem'), 'not a certificate');
  const logger = createLogger({ name: 'test', level: 'silent' });
  const attempt = async (tls: Record<string, unknown>, pattern: RegExp) => {
    const config = parseGatewayConfig(withFrontend({ tls }), pki.dir);
    await assert.rejects(startGateway({ config, logger }), (error: unknown) => {
      assert.ok(isGatehouseError(error, 'ERR_TLS_CERTIFICATE'), String(error));
      assert.match((error as Error).message, pattern);
      assert.ok(!(error as Error).message.includes('PRIVATE KEY') && !(error as Error).message.includes(a.key.split('\n')[1] as string));
      return true;
    });
  };
  await attempt({ cert: './missing.pem', key: 'a.key' }, /cannot read certificate .*missing\.pem: ENOENT/);
  await attempt({ cert: 'junk.pem', key: 'a.key' }, /junk\.pem holds no valid PEM certificate/);
  await attempt({ cert: 'a.pem', key: 'junk.pem' }, /junk\.pem holds no valid unencrypted PEM private key/);
  await attempt({ cert: 'a.pem', key: 'b.key' }, /the private key .*b\.key does not belong to the certificate .*a\.pem/);
  await attempt({ cert: expired.certFile, key: expired.keyFile }, /old\.pem expired on/);
  await attempt({ cert: 'a.pem', key: 'a.key', client_certificates: { ca: 'nope.pem' } }, /cannot read client CA file .*nope\.pem/);
  void b;
  const config = parseGatewayConfig({ ...withFrontend({}), backends: { app: { tls: { ca: './nope.pem' }, servers: { a: { address: '127.0.0.1:9' } } } } }, pki.dir);
  await assert.rejects(startGateway({ config, logger }), /backends\.app\.tls\.ca: cannot read/);
});

test('gatehouse check opens the certificate files: a key that is not the certificate\'s fails the check', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  pki.issue('a', ['localhost']);
  pki.issue('b', ['localhost']);
  const yaml = (key: string) => `frontends:\n  web: { bind: "127.0.0.1:0", default_backend: app, tls: { cert: ./a.pem, key: ${key} } }\nbackends:\n  app: { servers: { a: { address: "127.0.0.1:9" } } }\n`;
  writeFileSync(join(pki.dir, 'good.yaml'), yaml('./a.key'));
  writeFileSync(join(pki.dir, 'bad.yaml'), yaml('./b.key'));
  const check = (file: string) => spawnSync(process.execPath, [CLI, 'check', '--config', join(pki.dir, file)], { encoding: 'utf8' });
  assert.equal(check('good.yaml').status, 0);
  const bad = check('bad.yaml');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr + bad.stdout, /does not belong to the certificate/);
  assert.ok(!(bad.stderr + bad.stdout).includes('PRIVATE KEY'));
});

test('reload: turning TLS on for a bound plain frontend is refused and the old config keeps serving', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const a = pki.issue('a', ['localhost']);
  const upstream = await startUpstream('app');
  const gateway = await startInProcess({ access_log: false, frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } }, backends: { app: { servers: { a: { address: upstream.address } } } } });
  t.after(async () => {
    await gateway.close();
    await upstream.close();
  });
  const next = parseGatewayConfig(
    { frontends: { web: { bind: `127.0.0.1:${gateway.port}`, default_backend: 'app', tls: { cert: a.certFile, key: a.keyFile } } }, backends: { app: { servers: { a: { address: upstream.address } } } } },
    pki.dir,
  );
  await assert.rejects(gateway.gateway.reload(next), (e: unknown) => isGatehouseError(e, 'ERR_TLS_RELOAD'));
  assert.equal((await fetch(`${gateway.url}/`)).status, 200);
});

test('bad input on a TLS port: plain HTTP, garbage, bad :authority — the connection or stream fails, the gateway serves on', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const site = pki.issue('site', ['localhost']);
  const upstream = await startUpstream('app');
  const gateway = await startInProcess({
    access_log: false,
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: site.certFile, key: site.keyFile, hsts: true } } },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  t.after(async () => {
    await gateway.close();
    await upstream.close();
  });
  for (const bytes of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', '\x16\x03\x01\x00\x05hello', '\x00'.repeat(5000)]) {
    await new Promise<void>((resolve) => {
      const socket = netConnect(gateway.port, '127.0.0.1', () => socket.write(bytes));
      socket.on('data', () => undefined);
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.setTimeout(5_000, () => socket.destroy());
    });
  }
  const session = h2Connect(`https://localhost:${gateway.port}`, { ca: pki.ca.cert });
  t.after(() => session.close());
  // a stream error (-1) is Node's HTTP/2 layer refusing a malformed header before the gateway sees it
  const status = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const stream = session.request(headers);
      stream.on('response', (h) => resolve(Number(h[':status'])));
      stream.on('error', () => resolve(-1));
      stream.resume();
    });
  assert.ok([400, -1].includes(await status({ ':path': '/', ':authority': 'bad host!' })));
  assert.equal(await status({ ':path': '/', ':authority': 'a.test', host: 'b.test' }), 400);
  assert.equal(await status({ ':path': '/%2e%2e/%2f' }), 400);
  const refused = await httpsGet(gateway.port, '/a%2fb', { ca: pki.ca.cert, servername: 'localhost' });
  assert.equal(refused.status, 400);
  assert.equal(refused.headers['strict-transport-security'], 'max-age=31536000', 'HSTS on the gateway\'s own answers too');
  assert.equal(await status({ ':path': '/ok' }), 200);
  assert.equal((await httpsGet(gateway.port, '/', { ca: pki.ca.cert, servername: 'localhost' })).status, 200);
});
