/**
 * HTTP/2 (node:http2 client, ALPN h2) through the same JWT checks as HTTP/1.1, in both response modes:
 * every token gets the same status and body on both protocols, claims are forwarded as headers, client
 * copies of those headers and of pseudo-headers never reach the HTTP/1.1 upstream, and bodies stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session } from 'node:http2';
import type { Echo } from '../support/upstream.js';
import { startUpstream } from '../support/upstream.js';
import { startInProcess } from '../support/in-process.js';
import { AUDIENCE, ISSUER, rsaKey, token } from '../auth/support.js';
import { createPki } from './support/pki.js';
import { httpsGet } from './support/clients.js';

const nowS = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub: 'user-42', exp: nowS() + 3600, iat: nowS() - 10, ...extra });

interface H2Response {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

function h2Request(session: ClientHttp2Session, headers: Record<string, string>, body?: string): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let status = 0;
    let responseHeaders: Record<string, unknown> = {};
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve({ status, headers: responseHeaders, body: text }));
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

for (const mode of ['seed', 'standards'] as const) {
  test(`HTTP/2 and HTTP/1.1 get the same JWT decisions (${mode} mode)`, async (t) => {
    const pki = createPki(t);
    if (pki === undefined) return;
    const cert = pki.issue('site', ['localhost']);
    const upstream = await startUpstream('app');
    const gateway = await startInProcess({
      access_log: false,
      auth: {
        jwt: {
          response: mode,
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['RS256'],
          keys: { jwk: rsaKey().publicJwk },
          forward: { headers: { 'X-User-Id': 'sub' } },
        },
      },
      frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', auth: 'jwt', tls: { cert: cert.certFile, key: cert.keyFile } } },
      backends: { app: { servers: { a: { address: upstream.address } } } },
    });
    const session = connect(`https://localhost:${gateway.port}`, { ca: pki.ca.cert });
    t.after(async () => {
      session.close();
      await gateway.close();
      await upstream.close();
      pki.close();
    });
    assert.equal(await new Promise((resolve) => session.once('connect', () => resolve(session.alpnProtocol))), 'h2');

    const cases: Array<[string, string | undefined]> = [
      ['no token', undefined],
      ['valid', token({ claims: claims() })],
      ['expired', token({ claims: claims({ exp: nowS() - 60 }) })],
      ['wrong issuer', token({ claims: claims({ iss: 'https://evil.example' }) })],
      ['wrong audience', token({ claims: claims({ aud: 'someone-else' }) })],
      ['HS256', token({ alg: 'HS256', key: Buffer.from('secret'), claims: claims() })],
      ['garbage', 'not.a.jwt'],
    ];
    for (const [name, tok] of cases) {
      const auth: Record<string, string> = tok === undefined ? {} : { authorization: `Bearer ${tok}` };
      const h2 = await h2Request(session, { ':method': 'GET', ':path': '/api?x=1', 'x-user-id': 'forged', ...auth });
      const h1 = await httpsGet(gateway.port, '/api?x=1', { ca: pki.ca.cert, servername: 'localhost', headers: { 'x-user-id': 'forged', ...auth } });
      assert.equal(h2.status, h1.status, `${name}: same status on both protocols`);
      if (name === 'valid') {
        assert.equal(h2.status, 200);
        const echo = JSON.parse(h2.body) as Echo;
        assert.equal(echo.headers['x-user-id'], 'user-42', 'the claim is forwarded, the forged copy is not');
        assert.equal(echo.headers.host, `localhost:${gateway.port}`, ':authority becomes Host');
        assert.equal(echo.headers['x-forwarded-proto'], 'https');
        assert.ok(!echo.rawHeaders.some((h) => h.startsWith(':')), 'no pseudo-header upstream');
      } else {
        assert.equal(h2.status, mode === 'seed' ? 403 : 401, name);
        assert.equal(h2.body, h1.body, `${name}: same body on both protocols`);
        assert.equal(h2.headers['www-authenticate'], h1.headers['www-authenticate'], `${name}: same challenge`);
      }
    }
    const before = upstream.requests;
    const denied = await h2Request(session, { ':method': 'POST', ':path': '/upload', 'content-type': 'text/plain' }, 'x'.repeat(100_000));
    assert.equal(denied.status, mode === 'seed' ? 403 : 401);
    assert.equal(upstream.requests, before, 'a denied HTTP/2 request never reaches the upstream');
    const upload = await h2Request(session, { ':method': 'POST', ':path': '/upload', authorization: `Bearer ${token({ claims: claims() })}` }, 'y'.repeat(100_000));
    assert.equal(upload.status, 200);
    assert.equal((JSON.parse(upload.body) as Echo).bytes, 100_000, 'an HTTP/2 body without content-length streams to the HTTP/1.1 upstream');
    const hop = await h2Request(session, { ':method': 'GET', ':path': '/', te: 'trailers', authorization: `Bearer ${token({ claims: claims() })}` });
    assert.equal(hop.status, 200);
    assert.equal((JSON.parse(hop.body) as Echo).headers.te, undefined, 'hop-by-hop TE is not forwarded');
  });
}
