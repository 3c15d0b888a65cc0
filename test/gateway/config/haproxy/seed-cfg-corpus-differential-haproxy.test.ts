/**
 * The seed's haproxy.cfg, one file, run by HAProxy 2.6 and by `gatehouse gateway --config haproxy.cfg`:
 * the JWT differential corpus (more than 1,000 Authorization headers) through both gives the same status
 * and body, except the corpus entries tagged with a docs/security.md difference, where Gatehouse's answer
 * must be the documented one. An admitted request reaches the backend with the same headers (the token included). (test/gateway/auth/e2e/differential-haproxy.test.ts does the same with a
 * hand-written gatehouse.yaml; this one proves the translation.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from '../../../support/services.js';
import { tempDir } from '../../support/gateway-process.js';
import { ecKey, newRsaKey, rsaKey } from '../../auth/support.js';
import { buildCorpus, DOCUMENTED } from '../../auth/e2e/corpus.js';
import { client, pool } from '../../auth/e2e/http-client.js';
import { HAPROXY } from '../../auth/e2e/seed-setup.js';
import { seedCfg, SEED_AUDIENCE, SEED_ISSUER } from './seed-cfg.js';
import { startBoth } from './both.js';
import { addressOf, headerEcho, RECEIVED } from './received-headers.js';

test("HAProxy 2.6 and Gatehouse running the seed's haproxy.cfg agree on the JWT corpus", async (t) => {
  const haproxyPath = requireExecutable(t, HAPROXY);
  if (haproxyPath === false) return;
  const dir = tempDir('gatehouse-cfg-corpus-');
  const idp = rsaKey();
  const pubkeyPath = join(dir, 'pubkey.pem');
  writeFileSync(pubkeyPath, idp.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const upstream = await headerEcho('web', (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    return 'upstream ok';
  });
  const cfg = seedCfg({ bind: '"127.0.0.1:${PORT}"', upstream: addressOf(upstream), pubkeyPath });
  const both = await startBoth(haproxyPath, cfg, 'myfrontend', dir);
  const viaHaproxy = client(both.haproxyPort);
  const viaGatehouse = client(both.gatehousePort);
  try {
    const corpus = buildCorpus({ idp: idp.privateKey, other: newRsaKey().privateKey, ec: ecKey().privateKey }, SEED_ISSUER, SEED_AUDIENCE, Math.floor(Date.now() / 1000), 7);
    assert.ok(corpus.length >= 1000, `corpus has ${corpus.length} entries`);
    const results = await pool(corpus, 8, async (entry) => {
      const [h, g] = await Promise.all([viaHaproxy.get(entry.authorization), viaGatehouse.get(entry.authorization)]);
      return { entry, h, g };
    });
    const mismatches: string[] = [];
    for (const { entry, h, g } of results) {
      const show = `[${entry.category}] haproxy ${h.status} ${JSON.stringify(h.body.slice(0, 40))}, gatehouse ${g.status} ${JSON.stringify(g.body.slice(0, 40))}`;
      const documented = entry.difference === undefined ? undefined : DOCUMENTED[entry.difference];
      if (documented !== undefined) {
        if (g.status !== documented.status || g.body !== documented.body) mismatches.push(`documented ${entry.difference} not as documented: ${show}`);
      } else if (h.status !== g.status || h.body !== g.body || h.headers['content-type'] !== g.headers['content-type']) mismatches.push(show);
      else if (h.status === 200 && h.headers[RECEIVED] !== g.headers[RECEIVED]) mismatches.push(`headers received: ${show}: haproxy ${String(h.headers[RECEIVED])}, gatehouse ${String(g.headers[RECEIVED])}`);
    }
    t.diagnostic(`${corpus.length} requests through each`);
    assert.deepEqual(mismatches, [], mismatches.slice(0, 20).join('\n'));
    assert.ok(results.some((r) => r.entry.category === 'valid' && r.g.status === 200), 'valid tokens reach the upstream');
  } finally {
    viaHaproxy.close();
    viaGatehouse.close();
    await both.stop();
    await new Promise((r) => upstream.close(r));
  }
});
