/**
 * TLS frontends with real certificates (openssl-made CA): curl and Node clients verify the gateway with
 * --cacert / ca, HTTP/1.1 and HTTP/2 are offered by ALPN, SNI picks the certificate, TLS 1.1 and CBC
 * ciphers are refused, HSTS is added, and a plain frontend redirects to https with 308.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Echo } from '../support/upstream.js';
import { startUpstream, type TestUpstream } from '../support/upstream.js';
import { startInProcess, type InProcessGateway } from '../support/in-process.js';
import { requireExecutable } from '../../support/services.js';
import { createPki, type Pki } from './support/pki.js';
import { curl, handshake, httpsGet, plainRequest } from './support/clients.js';

interface Setup {
  pki: Pki;
  upstream: TestUpstream;
  gateway: InProcessGateway;
  tlsPort: number;
  plainPort: number;
}

async function setup(t: import('node:test').TestContext): Promise<Setup | undefined> {
  const pki = createPki(t);
  if (pki === undefined) return undefined;
  const main = pki.issue('main', ['localhost', '127.0.0.1']);
  const a = pki.issue('a', ['a.test']);
  const wild = pki.issue('wild', ['*.wild.test']);
  const upstream = await startUpstream('app');
  const gateway = await startInProcess({
    access_log: false,
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        tls: {
          cert: main.certFile,
          key: main.keyFile,
          certificates: [{ cert: a.certFile, key: a.keyFile }, { cert: wild.certFile, key: wild.keyFile }],
          hsts: { max_age: '365d', include_subdomains: true },
        },
      },
      plain: { bind: '127.0.0.1:0', redirect_https: { port: 8443 } },
    },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  const plainPort = gateway.gateway.frontends.find((f) => f.name === 'plain')?.port ?? 0;
  t.after(async () => {
    await gateway.close();
    await upstream.close();
    pki.close();
  });
  return { pki, upstream, gateway, tlsPort: gateway.port, plainPort };
}

test('curl with --cacert: HTTP/1.1 and HTTP/2 through the TLS frontend, X-Forwarded-Proto https, HSTS', async (t) => {
  const curlPath = requireExecutable(t, 'curl');
  const s = await setup(t);
  if (s === undefined || curlPath === false) return;
  for (const version of ['--http1.1', '--http2']) {
    const r = await curl(curlPath, ['--cacert', s.pki.ca.certFile, version, '-D', '-', `https://localhost:${s.tlsPort}/hello?x=1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, version === '--http2' ? /^HTTP\/2 200/ : /^HTTP\/1\.1 200/);
    assert.match(r.stdout, /strict-transport-security: max-age=31536000; includeSubDomains/i);
    const echo = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Echo;
    assert.equal(echo.url, '/hello?x=1');
    assert.equal(echo.headers['x-forwarded-proto'], 'https');
    assert.equal(echo.headers.host, `localhost:${s.tlsPort}`);
    assert.ok(!Object.keys(echo.headers).some((h) => h.startsWith(':')), 'no pseudo-header reaches the upstream');
  }
  const untrusted = await curl(curlPath, ['-o', '/dev/null', `https://localhost:${s.tlsPort}/`]);
  assert.notEqual(untrusted.code, 0, 'without --cacert curl refuses the certificate');
});

test('a client-sent X-Forwarded-Proto does not override https (untrusted client)', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const r = await httpsGet(s.tlsPort, '/', { ca: s.pki.ca.cert, servername: 'localhost', headers: { 'x-forwarded-proto': 'http' } });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.body) as Echo).headers['x-forwarded-proto'], 'https');
});

test('SNI picks the certificate: exact name, wildcard, and the first certificate otherwise', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const ca = s.pki.ca.cert;
  assert.equal((await handshake(s.tlsPort, { ca, servername: 'a.test' })).cn, 'a.test');
  assert.equal((await handshake(s.tlsPort, { ca, servername: 'api.wild.test' })).cn, '*.wild.test');
  assert.equal((await handshake(s.tlsPort, { ca, servername: 'localhost' })).cn, 'localhost');
  // an unknown name gets the default certificate, which a verifying client refuses for that name
  await assert.rejects(handshake(s.tlsPort, { ca, servername: 'unknown.test' }), /altnames|ERR_TLS_CERT_ALTNAME_INVALID/i);
  // no SNI at all (an IP address): the default certificate, valid for 127.0.0.1
  assert.equal((await handshake(s.tlsPort, { ca, checkServerIdentity: () => undefined })).cn, 'localhost');
  const viaSni = await httpsGet(s.tlsPort, '/', { ca, servername: 'a.test', hostHeader: 'a.test' });
  assert.equal(viaSni.status, 200);
});

test('TLS 1.2 is the floor and only AEAD ciphers with forward secrecy are offered for TLS 1.2', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const ca = s.pki.ca.cert;
  await assert.rejects(handshake(s.tlsPort, { ca, servername: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }), /protocol|version|alert/i);
  const tls12 = await handshake(s.tlsPort, { ca, servername: 'localhost', maxVersion: 'TLSv1.2' });
  assert.equal(tls12.protocol, 'TLSv1.2');
  assert.match(tls12.cipher, /^ECDHE-ECDSA-(AES\d+-GCM|CHACHA20-POLY1305)/);
  await assert.rejects(handshake(s.tlsPort, { ca, servername: 'localhost', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA' }), /handshake|cipher|alert/i);
  assert.equal((await handshake(s.tlsPort, { ca, servername: 'localhost' })).protocol, 'TLSv1.3');
});

test('ALPN: h2 and http/1.1 are both offered', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const ca = s.pki.ca.cert;
  assert.equal((await handshake(s.tlsPort, { ca, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] })).protocol !== null, true);
  const h1 = await httpsGet(s.tlsPort, '/', { ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
  assert.equal(h1.protocol, 'http/1.1');
  assert.equal(h1.status, 200);
});

test('a plain frontend with redirect_https answers 308 to the same host and path on the https port', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const before = s.upstream.requests;
  const res = await plainRequest(s.plainPort, 'POST', '/some/path?q=1', { host: 'Example.COM:80', 'content-length': '0' });
  assert.equal(res.status, 308);
  assert.equal(res.headers.location, 'https://example.com:8443/some/path?q=1');
  assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP');
  const injected = await plainRequest(s.plainPort, 'GET', '/', { host: 'evil.test/x@good.test' });
  assert.equal(injected.status, 400, 'a malformed Host is refused, never echoed into Location');
  const dotted = await plainRequest(s.plainPort, 'GET', '/a/../b', { host: 'good.test' });
  assert.equal(dotted.headers.location, 'https://good.test:8443/b', 'the path is normalised first');
  assert.equal(s.upstream.requests, before, 'nothing is proxied by a redirecting frontend');
});
