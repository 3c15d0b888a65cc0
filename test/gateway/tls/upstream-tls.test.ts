/**
 * Upstream servers over TLS: verified against the backend's CA file by default. An expired certificate,
 * one for another host name, or one from an unknown CA is refused (502, nothing forwarded); `verify:
 * false` is the explicit opt-out; `servername` checks a name when servers are addressed by IP.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { startInProcess } from '../support/in-process.js';
import { createPki, type PemPair } from './support/pki.js';

async function httpsUpstream(t: TestContext, cert: PemPair): Promise<{ address: string; requests: () => number }> {
  let requests = 0;
  const server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ secure: true, host: req.headers.host }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

async function status(t: TestContext, address: string, tls: unknown): Promise<{ status: number; body: string; logs: Array<Record<string, unknown>> }> {
  const gateway = await startInProcess({
    access_log: true,
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { retries: 0, passive: false, tls, servers: { s: { address } } } },
  });
  t.after(() => gateway.close());
  const res = await fetch(`${gateway.url}/`);
  return { status: res.status, body: await res.text(), logs: gateway.logs };
}

test('a server certificate from the configured CA, for the server\'s IP, is accepted', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const upstream = await httpsUpstream(t, pki.issue('up', ['127.0.0.1']));
  const r = await status(t, upstream.address, { ca: pki.ca.certFile });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.body) as { secure: boolean }).secure, true);
});

test('an expired upstream certificate is refused with 502', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const expired = pki.expired('old', ['127.0.0.1']);
  const upstream = await httpsUpstream(t, expired);
  const r = await status(t, upstream.address, { ca: expired.caFile });
  assert.equal(r.status, 502);
  assert.equal(upstream.requests(), 0);
  assert.ok(r.logs.some((l) => l.error === 'CERT_HAS_EXPIRED'), 'the access log names the reason');
});

test('a certificate for another host is refused with 502; servername checks a name for an IP-addressed server', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const upstream = await httpsUpstream(t, pki.issue('other', ['api.internal']));
  const wrongHost = await status(t, upstream.address, { ca: pki.ca.certFile });
  assert.equal(wrongHost.status, 502);
  assert.ok(wrongHost.logs.some((l) => l.error === 'ERR_TLS_CERT_ALTNAME_INVALID'));
  assert.equal((await status(t, upstream.address, { ca: pki.ca.certFile, servername: 'api.internal' })).status, 200);
  assert.equal((await status(t, upstream.address, { ca: pki.ca.certFile, servername: 'www.internal' })).status, 502);
  assert.equal(upstream.requests(), 1, 'only the verified connection carried a request');
});

test('an unknown CA is refused by default (Node\'s roots) and accepted only with verify: false', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const upstream = await httpsUpstream(t, pki.foreign('self', ['127.0.0.1']));
  assert.equal((await status(t, upstream.address, true)).status, 502);
  assert.equal((await status(t, upstream.address, { ca: pki.ca.certFile })).status, 502, 'our CA did not sign it');
  const optOut = await status(t, upstream.address, { verify: false });
  assert.equal(optOut.status, 200);
  assert.ok(optOut.logs.some((l) => l.level === 40 && /verification is OFF/.test(String(l.msg))), 'the opt-out is logged as a warning');
});

test('active health checks go over TLS with the same verification: a wrong-host server is taken out, a valid one stays up', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const good = await httpsUpstream(t, pki.issue('good', ['127.0.0.1']));
  const wrong = await httpsUpstream(t, pki.issue('wrong', ['api.internal']));
  const gateway = await startInProcess({
    access_log: false,
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: {
      app: {
        tls: { ca: pki.ca.certFile },
        check: { path: '/', interval: '100ms', timeout: '1s', rise: 1, fall: 2 },
        servers: { good: { address: good.address }, wrong: { address: wrong.address } },
      },
    },
  });
  t.after(() => gateway.close());
  const state = () => Object.fromEntries((gateway.gateway.stats().backends[0]?.servers ?? []).map((s) => [s.name, s.up]));
  for (let i = 0; i < 100 && state().wrong !== false; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(state(), { good: true, wrong: false });
  for (let i = 0; i < 6; i++) assert.equal((await fetch(`${gateway.url}/`)).status, 200, 'every request goes to the verified server');
  assert.equal(wrong.requests(), 0, 'the wrong-host server never received a request, nor a check');
});
