/**
 * OCSP stapling on TLS frontends, with real peers: certificates and responses made by openssl, a real
 * `openssl ocsp` responder, Node's tls.connect with `requestOCSP: true` (and openssl s_client -status).
 * File mode staples `<crt>.ocsp` on every TLS server shape (node:http2's secure server for `h2`, the
 * gateway's own HTTP/1.1 behind it, a plain tls.Server with `http2: false`, `server: node`); auto mode
 * fetches, refreshes and stops stapling what it must not (revoked, wrongly signed, responder down).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseGatewayConfig } from '../../../src/gateway/index.js';
import { renderStatsPage } from '../../../src/gateway/admin/stats-page.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { startUpstream, type TestUpstream } from '../support/upstream.js';
import { startInProcess, type InProcessGateway } from '../support/in-process.js';
import { createOcspPki, stapled, type Leaf, type OcspPki } from './support/ocsp.js';
import { httpsGet } from './support/clients.js';

interface Setup {
  readonly pki: OcspPki;
  readonly leaf: Leaf;
  readonly upstream: TestUpstream;
}

async function setup(t: TestContext): Promise<Setup | undefined> {
  const pki = await createOcspPki(t);
  if (pki === undefined) return undefined;
  const leaf = pki.issue('site', 'site.test');
  const upstream = await startUpstream('app');
  t.after(async () => {
    await upstream.close();
    pki.close();
  });
  return { pki, leaf, upstream };
}

function config(s: Setup, tls: Record<string, unknown>, frontend: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access_log: false,
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', ...frontend, tls: { cert: s.leaf.certFile, key: s.leaf.keyFile, ...tls } } },
    backends: { app: { servers: { a: { address: s.upstream.address } } } },
  };
}

async function start(t: TestContext, s: Setup, tls: Record<string, unknown>, frontend: Record<string, unknown> = {}): Promise<InProcessGateway> {
  const gateway = await startInProcess(config(s, tls, frontend));
  t.after(() => gateway.close());
  return gateway;
}

async function metric(gateway: InProcessGateway, name: string, labels: string): Promise<number> {
  const { body } = await gateway.gateway.metrics.text();
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Polls handshakes until one gets a staple (auto mode's first fetch is asynchronous). */
async function firstStaple(port: number, ca: string, within = 5_000, servername = 'site.test'): Promise<Buffer | null> {
  const until = Date.now() + within;
  for (;;) {
    const der = await stapled(port, servername, ca);
    if (der !== null || Date.now() > until) return der;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ca = (s: Setup) => readFileSync(s.pki.caFile, 'utf8');

test('file mode: <crt>.ocsp is stapled over h2 and HTTP/1.1 (own server), http2: false and server: node, TLS 1.3 and 1.2; a client that does not ask gets none', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const response = s.pki.respond(s.leaf, { minutes: 60 });
  writeFileSync(`${s.leaf.certFile}.ocsp`, response);
  const shapes: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['own server, http2 on', {}, {}],
    ['own server, http2: false', { http2: false }, {}],
    ['server: node (node:http2 secure server)', {}, { server: 'node' }],
    ['server: node, http2: false (node:https)', { http2: false }, { server: 'node' }],
  ];
  for (const [label, tls, frontend] of shapes) {
    const gateway = await start(t, s, { ocsp: 'file', ...tls }, frontend);
    const alpns = tls.http2 === false ? [['http/1.1']] : [['h2'], ['http/1.1'], []];
    for (const ALPNProtocols of alpns) {
      const der = await stapled(gateway.port, 'site.test', ca(s), { ALPNProtocols });
      assert.ok(der !== null && der.equals(response), `${label}, ALPN ${ALPNProtocols.join(',') || 'none'}: the file's response is stapled`);
    }
    const tls12 = await stapled(gateway.port, 'site.test', ca(s), { maxVersion: 'TLSv1.2' });
    assert.ok(tls12 !== null && tls12.equals(response), `${label}, TLS 1.2 (CertificateStatus message): stapled`);
    assert.equal(await stapled(gateway.port, 'site.test', ca(s), { requestOCSP: false } as object), null, `${label}: no status_request, no staple`);
    assert.equal(await metric(gateway, 'gatehouse_tls_ocsp_staples_total', 'frontend="web"'), alpns.length + 1, `${label}: staples counted`);
    const expiry = await metric(gateway, 'gatehouse_tls_ocsp_response_expiry_seconds', 'frontend="web"');
    assert.ok(expiry > 3_400 && expiry <= 3_600, `${label}: seconds left ${expiry}`);
    await gateway.close();
  }
});

test('openssl s_client -status sees the stapled response as good', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  writeFileSync(`${s.leaf.certFile}.ocsp`, s.pki.respond(s.leaf));
  const gateway = await start(t, s, { ocsp: { mode: 'file' } });
  const out = await new Promise<string>((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${gateway.port}`, '-servername', 'site.test', '-status', '-CAfile', s.pki.caFile], { timeout: 10_000 }, (_e, stdout) => resolve(stdout));
    child.stdin?.end();
  });
  assert.match(out, /OCSP Response Status: successful/);
  assert.match(out, /Cert Status: good/);
  assert.match(out, /Verify return code: 0 \(ok\)/);
});

test('file mode: a .ocsp file for another certificate, or a revoked one, fails the load with ERR_TLS_OCSP naming the file', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const other = s.pki.issue('other', 'other.test');
  const file = `${s.leaf.certFile}.ocsp`;
  writeFileSync(file, s.pki.respond(other));
  await assert.rejects(startInProcess(config(s, { ocsp: 'file' })), (e: unknown) => isGatehouseError(e, 'ERR_TLS_OCSP') && (e as Error).message.includes(file) && /another certificate/.test((e as Error).message));
  s.pki.revoke(s.leaf);
  writeFileSync(file, s.pki.respond(s.leaf));
  await assert.rejects(startInProcess(config(s, { ocsp: 'file' })), (e: unknown) => isGatehouseError(e, 'ERR_TLS_OCSP') && (e as Error).message.includes(file) && /revoked/.test((e as Error).message));
});

test('file mode, hot reload: a newer .ocsp is stapled; a bad one keeps the previous response (the reload error counted)', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const file = `${s.leaf.certFile}.ocsp`;
  const first = s.pki.respond(s.leaf, { minutes: 60 });
  writeFileSync(file, first);
  const gateway = await start(t, s, { ocsp: 'file' });
  assert.ok((await stapled(gateway.port, 'site.test', ca(s)))?.equals(first));
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // a later thisUpdate
  const second = s.pki.respond(s.leaf, { minutes: 120 });
  writeFileSync(file, second);
  await gateway.gateway.reload(parseGatewayConfig(config(s, { ocsp: 'file' }), process.cwd()));
  assert.ok((await stapled(gateway.port, 'site.test', ca(s)))?.equals(second), 'the new file is stapled after the reload');
  writeFileSync(file, s.pki.respond(s.leaf, { signer: 'other-ca' }));
  await gateway.gateway.reload(parseGatewayConfig(config(s, { ocsp: 'file' }), process.cwd()));
  assert.ok((await stapled(gateway.port, 'site.test', ca(s)))?.equals(second), 'a wrongly signed file keeps the previous response');
  assert.equal(await metric(gateway, 'gatehouse_tls_certificate_reload_errors_total', 'frontend="web"'), 1);
  assert.equal(await metric(gateway, 'gatehouse_tls_ocsp_refused_total', 'reason="signature"'), 1);
});

test('auto mode: fetched from the AIA responder (a delegated OCSP signer) and stapled, over h2 and HTTP/1.1; kept across a reload', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const stop = await s.pki.startResponder({ signer: 'delegate', minutes: 60 });
  t.after(stop);
  const gateway = await start(t, s, { ocsp: 'auto' });
  const der = await firstStaple(gateway.port, ca(s));
  assert.ok(der !== null, 'stapled after the first fetch');
  for (const ALPNProtocols of [['h2'], ['http/1.1']]) assert.ok((await stapled(gateway.port, 'site.test', ca(s), { ALPNProtocols }))?.equals(der));
  assert.equal(await metric(gateway, 'gatehouse_tls_ocsp_fetches_total', 'result="ok"'), 1, 'one fetch, not one per handshake');
  assert.ok(gateway.logs.some((l) => l.msg === 'OCSP response fetched'));
  // a reload keeps the fetched response (the new stapler takes it over) instead of fetching again
  await gateway.gateway.reload(parseGatewayConfig(config(s, { ocsp: 'auto' }), process.cwd()));
  assert.ok((await stapled(gateway.port, 'site.test', ca(s)))?.equals(der), 'stapled right after the reload');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await metric(gateway, 'gatehouse_tls_ocsp_fetches_total', 'result="ok"'), 1, 'no fetch on reload');
});

test('auto mode: a revoked certificate is not stapled (warning logged, counted); a wrongly signed answer neither', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  s.pki.revoke(s.leaf);
  let stop = await s.pki.startResponder();
  const gateway = await start(t, s, { ocsp: { mode: 'auto', retry: '1s' } });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(await stapled(gateway.port, 'site.test', ca(s)), null);
  assert.ok(await metric(gateway, 'gatehouse_tls_ocsp_refused_total', 'reason="revoked"') >= 1);
  assert.ok(await metric(gateway, 'gatehouse_tls_ocsp_fetches_total', 'result="failed"') >= 1);
  const warning = gateway.logs.find((l) => l.msg === 'TLS certificate revoked according to its OCSP response: no longer stapled');
  assert.ok(warning !== undefined && warning.level === 40);
  await stop();
  // another certificate, good at the responder, but the answers are signed by a key that is not the issuer's
  const other = s.pki.issue('other', 'site.test');
  stop = await s.pki.startResponder({ signer: 'other-ca' });
  t.after(stop);
  const second = await startInProcess({ ...config(s, { ocsp: 'auto' }), frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: other.certFile, key: other.keyFile, ocsp: 'auto' } } } });
  t.after(() => second.close());
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(await stapled(second.port, 'site.test', ca(s)), null);
  assert.ok(await metric(second, 'gatehouse_tls_ocsp_refused_total', 'reason="signature"') >= 1);
});

test('auto mode, responder down: no staple, the handshake and requests still work, failures in the metrics; it staples once the responder is back', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const gateway = await start(t, s, { ocsp: { mode: 'auto', retry: '1s', timeout: '2s' } });
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(await stapled(gateway.port, 'site.test', ca(s)), null);
  const res = await httpsGet(gateway.port, '/', { ca: ca(s), servername: 'site.test' });
  assert.equal(res.status, 200, 'a request is served meanwhile');
  assert.ok(await metric(gateway, 'gatehouse_tls_ocsp_fetches_total', 'result="failed"') >= 1);
  assert.equal(await metric(gateway, 'gatehouse_tls_ocsp_response_expiry_seconds', 'frontend="web"'), 0, 'nothing stapled: 0 seconds left');
  assert.match(renderStatsPage(gateway.gateway.stats()), /<th>OCSP<\/th>.*<td>not stapled<\/td>/s, 'the stats page says so');
  const failure = gateway.logs.find((l) => l.msg === 'OCSP fetch failed');
  assert.equal(failure?.reason, 'ECONNREFUSED');
  const stop = await s.pki.startResponder();
  t.after(stop);
  assert.ok((await firstStaple(gateway.port, ca(s), 6_000)) !== null, 'the retry (1 s, then 2 s) fetches it');
  assert.match(renderStatsPage(gateway.gateway.stats()), /<td>stapled until \d{4}-\d\d-\d\dT/);
});

test('auto mode refreshes before expiry: a 1-minute response is replaced within max_refresh (2 s), with no gap', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const stop = await s.pki.startResponder({ minutes: 1 });
  t.after(stop);
  const gateway = await start(t, s, { ocsp: { mode: 'auto', min_refresh: '1s', max_refresh: '2s' } });
  const first = await firstStaple(gateway.port, ca(s));
  assert.ok(first !== null);
  const until = Date.now() + 8_000;
  let next: Buffer | null = first;
  while (next !== null && next.equals(first) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    next = await stapled(gateway.port, 'site.test', ca(s));
  }
  assert.ok(next !== null && !next.equals(first), 'a new response replaced the first one, and a staple was served all along');
  assert.ok(await metric(gateway, 'gatehouse_tls_ocsp_fetches_total', 'result="ok"') >= 2);
});

test('auto mode needs a responder: no AIA URL and no tls.ocsp.responder is a load error naming the certificate', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const bare = s.pki.issue('bare', 'bare.test', { aia: false });
  const cfg = (ocsp: Record<string, unknown>) => ({ ...config(s, {}), frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: bare.certFile, key: bare.keyFile, ocsp } } } });
  await assert.rejects(startInProcess(cfg({ mode: 'auto' })), (e: unknown) => isGatehouseError(e, 'ERR_TLS_OCSP') && (e as Error).message.includes(bare.certFile));
  const stop = await s.pki.startResponder();
  t.after(stop);
  const gateway = await startInProcess(cfg({ mode: 'auto', responder: s.pki.url }));
  t.after(() => gateway.close());
  assert.ok((await firstStaple(gateway.port, ca(s), 5_000, 'bare.test')) !== null);
});

test('a must-staple certificate (TLS Feature status_request) with tls.ocsp off is a warning at start', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const strict = s.pki.issue('strict', 'strict.test', { mustStaple: true });
  const cfg = (leaf: Leaf) => ({ ...config(s, {}), frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: leaf.certFile, key: leaf.keyFile } } } });
  const warned = (g: InProcessGateway) => g.logs.some((l) => l.level === 40 && typeof l.msg === 'string' && l.msg.includes('must-staple'));
  const plain = await startInProcess(cfg(s.leaf));
  t.after(() => plain.close());
  assert.equal(warned(plain), false);
  const gateway = await startInProcess(cfg(strict));
  t.after(() => gateway.close());
  assert.equal(warned(gateway), true);
});
