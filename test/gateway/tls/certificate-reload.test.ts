/**
 * Certificates re-read on SIGHUP by a real `gatehouse gateway` process under steady load (keep-alive and
 * new connections): new handshakes get the new certificate, connections opened before keep serving, no
 * request fails. A broken new certificate keeps the old one with a logged error. The stats page and
 * /metrics show each certificate's expiry.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { startUpstream } from '../support/upstream.js';
import { startGatewayProcess } from '../support/gateway-process.js';
import { createPki, type PemPair, type Pki } from './support/pki.js';
import { handshake } from './support/clients.js';

interface Outcome {
  ok: boolean;
  fingerprint: string;
  at: number;
  error?: string;
  keepAlive?: boolean;
}

function get(port: number, ca: string, agent: Agent | false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername: 'localhost', ca, agent, headers: { host: 'localhost' } }, (res) => {
      // remembered per socket: a reused keep-alive socket no longer reports its peer certificate
      const socket = res.socket as TLSSocket & { fingerprint?: string };
      socket.fingerprint ??= socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      const fingerprint = socket.fingerprint;
      res.resume();
      res.on('end', () => resolve({ ok: res.statusCode === 200, fingerprint, at: Date.now(), error: res.statusCode === 200 ? undefined : `status ${res.statusCode}` }));
    });
    req.on('error', (error) => resolve({ ok: false, fingerprint: '', at: Date.now(), error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end();
  });
}

/** Two keep-alive loops and two new-connection loops until `stop()`; bounded to 4 000 requests each. */
function steadyLoad(port: number, ca: string): { stop(): Promise<Outcome[]> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  let running = true;
  const outcomes: Outcome[] = [];
  const loop = async (keepAlive: boolean) => {
    for (let i = 0; running && i < 4_000; i++) outcomes.push({ ...(await get(port, ca, keepAlive ? agent : false)), keepAlive });
  };
  const loops = [loop(true), loop(true), loop(false), loop(false)];
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return outcomes;
    },
  };
}

/** A `gatehouse gateway` process whose TLS frontend serves site.pem/site.key, first copied from `initial`. */
async function tlsGatewayProcess(t: TestContext, pki: Pki, initial: PemPair, args: string[] = []) {
  const certFile = join(pki.dir, 'site.pem');
  const keyFile = join(pki.dir, 'site.key');
  copyFileSync(initial.certFile, certFile);
  copyFileSync(initial.keyFile, keyFile);
  const upstream = await startUpstream('app');
  const gateway = await startGatewayProcess(`
access_log: false
admin: { bind: "127.0.0.1:0" }
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app, tls: { cert: "${certFile}", key: "${keyFile}" } }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`, args);
  t.after(async () => {
    await gateway.stop();
    await upstream.close();
    pki.close();
  });
  return { gateway, certFile, keyFile };
}

test('SIGHUP swaps the certificate under load: new handshakes get it, no request fails; a broken one keeps the old', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const first = pki.issue('first', ['localhost', '127.0.0.1']);
  const second = pki.issue('second', ['localhost', '127.0.0.1']);
  const third = pki.issue('third', ['localhost']);
  const { gateway, certFile, keyFile } = await tlsGatewayProcess(t, pki, first);
  await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
  await gateway.waitForLine((l) => l.admin === true);
  const port = gateway.port('web');
  const ca = pki.ca.cert;
  const fingerprintOf = async () => (await handshake(port, { ca, servername: 'localhost' })).fingerprint;
  const firstPrint = await fingerprintOf();

  const load = steadyLoad(port, ca);
  await new Promise((resolve) => setTimeout(resolve, 600));
  // replace both files atomically (rename), as a certificate renewal tool does, then signal
  writeFileSync(`${certFile}.new`, second.cert);
  writeFileSync(`${keyFile}.new`, second.key);
  renameSync(`${keyFile}.new`, keyFile);
  renameSync(`${certFile}.new`, certFile);
  const signalled = Date.now();
  gateway.child.kill('SIGHUP');
  await gateway.waitForLine((l) => l.msg === 'TLS certificates reloaded');
  const reloaded = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 600));
  const outcomes = await load.stop();

  const failures = outcomes.filter((o) => !o.ok);
  assert.deepEqual(failures, [], 'no request failed during the swap');
  assert.ok(outcomes.length > 8, `steady load ran (${outcomes.length} requests)`);
  const secondPrint = await fingerprintOf();
  assert.notEqual(secondPrint, firstPrint);
  assert.ok(outcomes.some((o) => o.at > reloaded && o.fingerprint === secondPrint), 'new connections after the reload got the new certificate');
  assert.ok(outcomes.some((o) => o.at > reloaded && o.fingerprint === firstPrint), 'keep-alive connections from before the reload kept serving');
  assert.ok(outcomes.every((o) => o.at > signalled || o.fingerprint === firstPrint), 'nothing saw the new certificate before the signal');

  // a broken renewal (the key of another certificate): refused, logged, the second certificate stays
  writeFileSync(certFile, third.cert);
  gateway.child.kill('SIGHUP');
  const error = await gateway.waitForLine((l) => l.msg === 'TLS certificate not reloaded; the previous certificate keeps serving');
  assert.equal(error.level, 50);
  assert.match(String((error.err as { message: string }).message), /does not belong to the certificate/);
  assert.ok(!JSON.stringify(gateway.lines).includes('PRIVATE KEY'), 'no key material in any log line');
  assert.equal(await fingerprintOf(), secondPrint);
  assert.equal((await get(port, ca, false)).ok, true);

  const admin = `http://127.0.0.1:${gateway.adminPort()}`;
  const metrics = await (await fetch(`${admin}/metrics`)).text();
  const expiry = /gatehouse_tls_certificate_expiry_timestamp_seconds\{frontend="web",file="([^"]+)",names="localhost"\} (\d+)/.exec(metrics);
  assert.ok(expiry !== null, metrics);
  assert.equal(expiry[1], certFile);
  const notAfter = Date.parse(new X509Certificate(second.cert).validTo);
  assert.equal(Number(expiry[2]), Math.floor(notAfter / 1000));
  assert.match(metrics, /gatehouse_tls_certificate_reload_errors_total\{frontend="web"\} 1/);
  const stats = await (await fetch(`${admin}/stats`)).text();
  assert.match(stats, /<h2>Certificates<\/h2>/);
  assert.ok(stats.includes(new Date(notAfter).toISOString()), 'the stats page shows the expiry date');
  assert.match(stats, /TLS, h2 \+ http\/1\.1/);
});

test('with two workers, SIGHUP reloads the certificate in every worker; /metrics aggregates the expiry', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const first = pki.issue('first', ['localhost']);
  const second = pki.issue('second', ['localhost']);
  const { gateway, certFile, keyFile } = await tlsGatewayProcess(t, pki, first, ['--workers', '2']);
  const count = (msg: string) => gateway.lines.filter((l) => l.msg === msg).length;
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(done());
  };
  await until(() => gateway.lines.filter((l) => l.frontend === 'web' && typeof l.port === 'number').length >= 2);
  await gateway.waitForLine((l) => l.admin === true);
  const port = gateway.port('web');
  const ca = pki.ca.cert;
  const printOf = (pem: string) => new X509Certificate(pem).fingerprint256;
  assert.equal((await handshake(port, { ca, servername: 'localhost' })).fingerprint, printOf(first.cert));
  writeFileSync(keyFile, second.key);
  writeFileSync(certFile, second.cert);
  gateway.child.kill('SIGHUP');
  await until(() => count('TLS certificates reloaded') >= 2);
  // new connections are spread over both workers: every one of them must get the new certificate
  for (let i = 0; i < 12; i++) assert.equal((await handshake(port, { ca, servername: 'localhost' })).fingerprint, printOf(second.cert));
  const metrics = await (await fetch(`http://127.0.0.1:${gateway.adminPort()}/metrics`)).text();
  const expiry = /gatehouse_tls_certificate_expiry_timestamp_seconds\{[^}]*frontend="web"[^}]*\} (\d+)/.exec(metrics);
  assert.ok(expiry !== null, metrics);
  assert.equal(Number(expiry[1]), Math.floor(Date.parse(new X509Certificate(second.cert).validTo) / 1000), 'aggregated over workers, not summed');
});
