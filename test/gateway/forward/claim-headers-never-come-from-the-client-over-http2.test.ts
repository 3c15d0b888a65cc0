/**
 * The same guarantee as claim-headers-never-come-from-the-client.test.ts on a TLS frontend spoken to in
 * HTTP/2 (ALPN h2): on an `auth: false` route, a client's `x-user-id` (a claim header of a policy) and
 * `x-client-subject` (another frontend's client-certificate subject header) never reach the upstream,
 * nor do `_` spellings of them; `_` names are dropped by default there too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import type { Echo } from '../support/upstream.js';
import { startUpstream } from '../support/upstream.js';
import { startInProcess } from '../support/in-process.js';
import { AUDIENCE, ISSUER, rsaKey } from '../auth/support.js';
import { createPki } from '../tls/support/pki.js';

test('HTTP/2: client copies of claim and subject headers never reach the upstream on an auth: false route', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const cert = pki.issue('site', ['localhost']);
  const upstream = await startUpstream('app');
  const gateway = await startInProcess({
    access_log: false,
    auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk }, forward: { headers: { 'X-User-Id': 'sub' } } } },
    frontends: {
      web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'jwt', routes: [{ path_prefix: '/public', backend: 'app', auth: false }], tls: { cert: cert.certFile, key: cert.keyFile } },
      mtls: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: cert.certFile, key: cert.keyFile, client_certificates: { ca: pki.ca.certFile, subject_header: 'X-Client-Subject' } } },
    },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  const session = connect(`https://localhost:${gateway.port}`, { ca: pki.ca.cert });
  t.after(async () => {
    session.close();
    await gateway.close();
    await upstream.close();
    pki.close();
  });
  const forged = { 'x-user-id': 'forged-1', x_user_id: 'forged-2', 'x-client-subject': 'CN=forged-3', x_client_subject: 'CN=forged-4', x_other: 'forged-5', 'x-other': 'kept' };
  const echo = await new Promise<Echo>((resolve, reject) => {
    const stream = session.request({ ':method': 'GET', ':path': '/public/page', ...forged });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve(JSON.parse(text) as Echo));
    stream.on('error', reject);
  });
  assert.equal(session.alpnProtocol, 'h2');
  assert.deepEqual(echo.rawHeaders.filter((v) => v.includes('forged')), [], `no forged value upstream (got ${echo.rawHeaders.join(' ')})`);
  assert.equal(echo.headers['x-other'], 'kept');
});
