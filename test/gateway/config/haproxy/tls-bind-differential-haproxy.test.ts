/**
 * `bind … ssl crt <dir> alpn h2,http/1.1` translates to the frontend's `tls` (HAProxy's crt files: the chain
 * with its key, or the key beside it in <file>.key; a directory in name order, the first being the default),
 * and HAProxy 2.6 and Gatehouse running the same file serve the same certificate for each SNI name
 * (and none) and negotiate the same ALPN protocol; a request over TLS reaches the backend with the same headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type PeerCertificate } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from '../../../support/services.js';
import { startBoth } from './both.js';
import { HAPROXY } from '../../auth/e2e/seed-setup.js';
import { createPki } from '../../tls/support/pki.js';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { addressOf, headerEcho, RECEIVED } from './received-headers.js';

/** A GET over TLS with SNI `servername`: the status and the headers the backend received. */
function getOverTls(port: number, servername: string): Promise<{ status: number; received: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, servername, path: '/x?y=1', headers: { host: servername, 'x-client': 'tls' }, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, received: res.headers[RECEIVED] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

function handshake(port: number, servername: string | undefined): Promise<{ cn: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...(servername === undefined ? {} : { servername }), ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false }, () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      resolve({ cn: String(cert.subject.CN), alpn: socket.alpnProtocol ?? false });
      socket.end();
    });
    socket.on('error', reject);
  });
}

test('bind ssl crt <dir> alpn: same certificate per SNI name and same ALPN on HAProxy 2.6 and Gatehouse', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const haproxyPath = requireExecutable(t, HAPROXY);
  if (haproxyPath === false) return pki.close();
  const upstream = await headerEcho('web', () => 'ok');
  const certs = join(pki.dir, 'certs');
  mkdirSync(certs);
  const a = pki.issue('a', ['a.example']);
  const b = pki.issue('b', ['b.example', '*.b.example']);
  writeFileSync(join(certs, 'a.pem'), a.cert + a.key); // chain and key in one file
  writeFileSync(join(certs, 'b.pem'), b.cert); // key beside it
  writeFileSync(join(certs, 'b.pem.key'), b.key);
  const cfg = `defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n\nfrontend tlsfe\n  bind "127.0.0.1:\${PORT}" ssl crt ${certs} alpn h2,http/1.1\n  default_backend web\n\nbackend web\n  server w1 ${addressOf(upstream)}\n`;
  const cfgPath = join(pki.dir, 'haproxy.cfg');

  const translated = translateHaproxy(cfg, cfgPath, { env: { PORT: '0' } });
  assert.deepEqual(translated.errors, []);
  assert.deepEqual((translated.config.frontends as any).tlsfe.tls, {
    cert: join(certs, 'a.pem'),
    key: join(certs, 'a.pem'),
    certificates: [{ cert: join(certs, 'b.pem'), key: join(certs, 'b.pem.key') }],
    http2: true,
  });

  const both = await startBoth(haproxyPath, cfg, 'tlsfe', pki.dir);
  try {
    const seen = [];
    for (const name of ['a.example', 'b.example', 'x.b.example', 'other.example', undefined]) {
      const [h, g] = [await handshake(both.haproxyPort, name), await handshake(both.gatehousePort, name)];
      assert.deepEqual(g, h, `SNI ${name ?? '(none)'}`);
      seen.push(g.cn);
    }
    assert.deepEqual(seen, ['a.example', 'b.example', 'b.example', 'a.example', 'a.example']);
    for (const name of ['a.example', 'x.b.example']) {
      const [h, g] = [await getOverTls(both.haproxyPort, name), await getOverTls(both.gatehousePort, name)];
      assert.equal(h.status, 200);
      assert.deepEqual(g, h, `the headers the backend received over TLS (${name})`);
    }
  } finally {
    await both.stop();
    await new Promise((r) => upstream.close(r));
    pki.close();
  }
});
