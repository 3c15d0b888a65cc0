/**
 * Client certificates (mTLS): `required` refuses a handshake without a certificate from the client CA;
 * `optional` lets it through without one. A verified certificate's subject goes upstream in the
 * configured header; a client-sent copy of that header is always removed, on HTTP/1.1 and HTTP/2.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import type { Echo } from '../support/upstream.js';
import { startUpstream } from '../support/upstream.js';
import { startInProcess } from '../support/in-process.js';
import { requireExecutable } from '../../support/services.js';
import { createPki, type Pki } from './support/pki.js';
import { curl, handshake, httpsGet } from './support/clients.js';

async function gatewayWith(t: TestContext, pki: Pki, mode: 'required' | 'optional') {
  const site = pki.issue('site', ['localhost']);
  const upstream = await startUpstream('app');
  const gateway = await startInProcess({
    access_log: false,
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        tls: { cert: site.certFile, key: site.keyFile, client_certificates: { ca: pki.ca.certFile, mode, subject_header: 'X-Client-Subject' } },
      },
    },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  t.after(async () => {
    await gateway.close();
    await upstream.close();
    pki.close();
  });
  return gateway;
}

test('mTLS required: no certificate or a foreign one fails the handshake; a CA-signed one passes with its subject', async (t) => {
  const curlPath = requireExecutable(t, 'curl');
  const pki = createPki(t);
  if (pki === undefined || curlPath === false) return;
  const gateway = await gatewayWith(t, pki, 'required');
  const alice = pki.issue('alice', ['alice'], 'client');
  const mallory = pki.foreign('mallory', ['mallory']);
  const ca = pki.ca.cert;
  await assert.rejects(httpsGet(gateway.port, '/', { ca, servername: 'localhost' }), 'no client certificate');
  await assert.rejects(httpsGet(gateway.port, '/', { ca, servername: 'localhost', cert: mallory.cert, key: mallory.key }), 'a certificate from another CA');
  const ok = await httpsGet(gateway.port, '/', { ca, servername: 'localhost', cert: alice.cert, key: alice.key, headers: { 'x-client-subject': 'CN=admin' } });
  assert.equal(ok.status, 200);
  assert.equal((JSON.parse(ok.body) as Echo).headers['x-client-subject'], 'O=Gatehouse tests, CN=alice');
  const viaCurl = await curl(curlPath, ['--cacert', pki.ca.certFile, '--cert', alice.certFile, '--key', alice.keyFile, '-H', 'X-Client-Subject: CN=admin', `https://localhost:${gateway.port}/`]);
  assert.equal(viaCurl.code, 0, viaCurl.stderr);
  assert.equal((JSON.parse(viaCurl.stdout) as Echo).headers['x-client-subject'], 'O=Gatehouse tests, CN=alice');
  const refused = await curl(curlPath, ['--cacert', pki.ca.certFile, `https://localhost:${gateway.port}/`]);
  assert.notEqual(refused.code, 0, 'curl without a client certificate is refused');
});

test('mTLS optional: without a certificate the request passes and a forged subject header is stripped (HTTP/1.1 and HTTP/2)', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const gateway = await gatewayWith(t, pki, 'optional');
  const ca = pki.ca.cert;
  const anonymous = await httpsGet(gateway.port, '/', { ca, servername: 'localhost', headers: { 'x-client-subject': 'CN=admin' } });
  assert.equal(anonymous.status, 200);
  assert.equal((JSON.parse(anonymous.body) as Echo).headers['x-client-subject'], undefined);
  // a certificate from another CA is not verified: no subject is forwarded (the handshake still passes)
  const mallory = pki.foreign('mallory', ['mallory']);
  const unverified = await httpsGet(gateway.port, '/', { ca, servername: 'localhost', cert: mallory.cert, key: mallory.key });
  assert.equal((JSON.parse(unverified.body) as Echo).headers['x-client-subject'], undefined);
  const bob = pki.issue('bob', ['bob'], 'client');
  const session = connect(`https://localhost:${gateway.port}`, { ca, cert: bob.cert, key: bob.key });
  t.after(() => session.close());
  const body = await new Promise<string>((resolve, reject) => {
    const stream = session.request({ ':path': '/', 'x-client-subject': 'CN=admin' });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (text += c));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
  assert.equal((JSON.parse(body) as Echo).headers['x-client-subject'], 'O=Gatehouse tests, CN=bob', 'HTTP/2 gets the verified subject');
  assert.equal((await handshake(gateway.port, { ca, servername: 'localhost' })).cn, 'localhost');
});
