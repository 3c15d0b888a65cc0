/**
 * HAProxy staples the DER response in `<crt>.ocsp` beside a crt file; the translation turns that into
 * `tls.ocsp: file`, and HAProxy 2.6 and Gatehouse running the same haproxy.cfg staple the same bytes
 * (the crt without a .ocsp file gets no staple on either). A crt directory skips the .ocsp companions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from '../../../support/services.js';
import { startBoth } from './both.js';
import { HAPROXY } from '../../auth/e2e/seed-setup.js';
import { createOcspPki, stapled } from '../../tls/support/ocsp.js';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { addressOf, headerEcho } from './received-headers.js';

test('bind ssl crt <dir> with a .ocsp file: tls.ocsp file, and HAProxy 2.6 and Gatehouse staple the same response', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const haproxyPath = requireExecutable(t, HAPROXY);
  if (haproxyPath === false) return;
  const upstream = await headerEcho('web', () => 'ok');
  t.after(() => new Promise((r) => upstream.close(r)));
  const certs = join(pki.dir, 'certs');
  mkdirSync(certs);
  const a = pki.issue('a', 'a.example');
  const b = pki.issue('b', 'b.example');
  // HAProxy's crt files: the chain and the key in one file
  writeFileSync(join(certs, 'a.pem'), readFileSync(a.certFile, 'utf8') + readFileSync(a.keyFile, 'utf8'));
  writeFileSync(join(certs, 'b.pem'), readFileSync(b.certFile, 'utf8') + readFileSync(b.keyFile, 'utf8'));
  const response = pki.respond(a, { minutes: 60 });
  writeFileSync(join(certs, 'a.pem.ocsp'), response);
  const cfg = `defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n\nfrontend tlsfe\n  bind "127.0.0.1:\${PORT}" ssl crt ${certs} alpn h2,http/1.1\n  default_backend web\n\nbackend web\n  server w1 ${addressOf(upstream)}\n`;
  const translated = translateHaproxy(cfg, join(pki.dir, 'haproxy.cfg'), { env: { PORT: '0' } });
  assert.deepEqual(translated.errors, []);
  assert.deepEqual((translated.config.frontends as any).tlsfe.tls, {
    cert: join(certs, 'a.pem'),
    key: join(certs, 'a.pem'),
    certificates: [{ cert: join(certs, 'b.pem'), key: join(certs, 'b.pem') }],
    http2: true,
    ocsp: 'file',
  });
  const both = await startBoth(haproxyPath, cfg, 'tlsfe', pki.dir);
  t.after(() => both.stop());
  const ca = readFileSync(pki.caFile, 'utf8');
  for (const port of [both.haproxyPort, both.gatehousePort]) {
    const label = port === both.haproxyPort ? 'HAProxy' : 'Gatehouse';
    assert.ok((await stapled(port, 'a.example', ca))?.equals(response), `${label} staples a.pem.ocsp`);
    assert.equal(await stapled(port, 'b.example', ca), null, `${label}: no .ocsp for b.pem, no staple`);
  }
});

test('ocsp-update on a bind line (HAProxy 2.8+ takes it in crt-list and crt-store only) stays an unsupported option; no .ocsp file, no ocsp key', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const a = pki.issue('a', 'a.example');
  writeFileSync(join(pki.dir, 'a-haproxy.pem'), readFileSync(a.certFile, 'utf8') + readFileSync(a.keyFile, 'utf8'));
  const cfg = (bind: string) => `defaults\n  mode http\n\nfrontend tlsfe\n  bind 127.0.0.1:8443 ${bind}\n  default_backend web\n\nbackend web\n  server w1 127.0.0.1:9\n`;
  const refused = translateHaproxy(cfg('ssl crt a-haproxy.pem ocsp-update on'), join(pki.dir, 'haproxy.cfg'));
  assert.equal(refused.errors.length, 1);
  assert.match(refused.errors[0] as string, /bind option "ocsp-update"; nearest gatehouse.yaml: frontends\.<name>\.tls \(.*ocsp\)/);
  const plain = translateHaproxy(cfg('ssl crt a-haproxy.pem'), join(pki.dir, 'haproxy.cfg'));
  assert.deepEqual(plain.errors, []);
  assert.equal((plain.config.frontends as any).tlsfe.tls.ocsp, undefined);
});
