/**
 * OCSP auto mode with two workers (a real `gatehouse gateway --workers 2`): every worker staples, and a
 * refresh one worker fetches reaches the other through the primary, which then does not fetch it again
 * (it waits a quarter longer than the fetching worker, which so keeps fetching for both): over 12 s of
 * 2-second refreshes the cluster asks the responder about as often as one worker would (2 first fetches +
 * ~6 refreshes), not twice as often (13 without the sharing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startUpstream } from '../support/upstream.js';
import { startGatewayProcess, waitForWorkers } from '../support/gateway-process.js';
import { createOcspPki, stapled } from './support/ocsp.js';

test('two workers: both staple; refreshes are fetched once for the cluster and shared', async (t) => {
  const pki = await createOcspPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const leaf = pki.issue('site', 'site.test');
  const stop = await pki.startResponder({ minutes: 1 });
  t.after(stop);
  const upstream = await startUpstream('app');
  t.after(() => upstream.close());
  const gateway = await startGatewayProcess(
    `
access_log: false
frontends:
  web:
    bind: "127.0.0.1:0"
    default_backend: app
    tls: { cert: "${leaf.certFile}", key: "${leaf.keyFile}", ocsp: { mode: auto, min_refresh: 1s, max_refresh: 2s } }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`,
    ['--workers', '2'],
  );
  t.after(() => gateway.stop());
  await waitForWorkers(gateway, 2);
  const fetched = () => gateway.lines.filter((l) => l.msg === 'OCSP response fetched');
  await gateway.waitForLine(() => new Set(fetched().map((l) => l.pid)).size === 2);
  const started = Date.now();
  const ca = readFileSync(pki.caFile, 'utf8');
  // connections go to both workers (round robin through the primary)
  for (let i = 0; i < 8; i++) assert.notEqual(await stapled(gateway.port('web'), 'site.test', ca), null, `handshake ${i} stapled`);
  await new Promise((resolve) => setTimeout(resolve, 12_000 - (Date.now() - started)));
  const count = fetched().length;
  assert.ok(count >= 6, `refreshes happened (${count} fetches)`);
  assert.ok(count <= 10, `${count} fetches in 12 s with 2 workers refreshing every ~2 s: shared, not per worker`);
  const after = fetched().slice(2).map((l) => l.pid);
  assert.ok(after.filter((pid) => pid === after[0]).length >= after.length - 1, `one worker fetches the refreshes (${after.join(', ')})`);
  for (let i = 0; i < 4; i++) assert.notEqual(await stapled(gateway.port('web'), 'site.test', ca), null);
});
