/**
 * Differential test: HAProxy 2.6 (Debian package) running the seed's exact rules and Gatehouse (a real
 * `gatehouse gateway` process) with the equivalent seed-mode policy, side by side in front of the same
 * upstream, on a generated corpus of more than 1,000 Authorization headers. Status and body must be
 * identical, except for the corpus entries tagged with a difference that docs/security.md documents;
 * for those, Gatehouse's answer is asserted to be the documented one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { requireExecutable } from '../../../support/services.js';
import { startGatewayProcess, tempDir } from '../../support/gateway-process.js';
import { ecKey, newRsaKey, rsaKey } from '../support.js';
import { buildCorpus, DOCUMENTED } from './corpus.js';
import { gatehouseSeedConfig, HAPROXY, SEED_AUDIENCE, SEED_ISSUER, startSeedHaproxy } from './seed-setup.js';
import { client, pool } from './http-client.js';

const ISSUER = SEED_ISSUER;
const AUDIENCE = SEED_AUDIENCE;

test('HAProxy 2.6 with the seed config and Gatehouse in seed mode agree on a corpus of > 1,000 tokens', async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  const dir = tempDir('gatehouse-diff-');
  const idp = rsaKey();
  const pubkeyPath = join(dir, 'pubkey.pem');
  writeFileSync(pubkeyPath, idp.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const upstream = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('upstream ok'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamAddress = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const haproxy = await startSeedHaproxy({ dir, upstream: upstreamAddress, issuer: ISSUER, audience: AUDIENCE, pubkeyPath });
  const gateway = await startGatewayProcess(gatehouseSeedConfig({ pubkeyPath, upstream: upstreamAddress }));
  const clients: Array<ReturnType<typeof client>> = [];
  try {
    await gateway.waitForLine((l) => l.frontend === 'myfrontend' && typeof l.port === 'number');
    const viaHaproxy = client(haproxy.port);
    const viaGatehouse = client(gateway.port('myfrontend'));
    clients.push(viaHaproxy, viaGatehouse);
    const nowS = Math.floor(Date.now() / 1000);
    const corpus = buildCorpus({ idp: idp.privateKey, other: newRsaKey().privateKey, ec: ecKey().privateKey }, ISSUER, AUDIENCE, nowS);
    assert.ok(corpus.length >= 1000, `corpus has ${corpus.length} entries`);

    const results = await pool(corpus, 8, async (entry) => {
      const [h, g] = await Promise.all([viaHaproxy.get(entry.authorization), viaGatehouse.get(entry.authorization)]);
      return { entry, h, g };
    });

    const mismatches: string[] = [];
    const documentedSeen = new Map<string, number>();
    const byCategory = new Map<string, number>();
    for (const { entry, h, g } of results) {
      byCategory.set(entry.category, (byCategory.get(entry.category) ?? 0) + 1);
      const show = () => `[${entry.category}] ${JSON.stringify(entry.authorization)?.slice(0, 90)}: haproxy ${h.status} ${JSON.stringify(h.body.slice(0, 40))}, gatehouse ${g.status} ${JSON.stringify(g.body.slice(0, 40))}`;
      if (entry.difference !== undefined) {
        const expected = DOCUMENTED[entry.difference];
        assert.ok(expected !== undefined, `undocumented difference tag ${entry.difference}`);
        if (g.status !== expected.status || g.body !== expected.body) mismatches.push(`documented ${entry.difference} not as documented: ${show()}`);
        if (h.status !== g.status || h.body !== g.body) documentedSeen.set(entry.difference, (documentedSeen.get(entry.difference) ?? 0) + 1);
        continue;
      }
      if (h.status !== g.status || h.body !== g.body) mismatches.push(show());
      else if (h.status === 403) {
        // a denial is framed as HAProxy frames it: its type and length, not a chunked body
        for (const name of ['content-type', 'content-length']) {
          if (g.headers[name] !== h.headers[name]) mismatches.push(`${name} ${JSON.stringify(g.headers[name])}, HAProxy ${JSON.stringify(h.headers[name])}: ${show()}`);
        }
      }
    }
    t.diagnostic(`corpus: ${corpus.length} headers; ${[...byCategory].map(([c, n]) => `${c} ${n}`).join(', ')}`);
    t.diagnostic(`documented differences observed: ${[...documentedSeen].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
    assert.deepEqual(mismatches, [], `${mismatches.length} answers differ:\n${mismatches.slice(0, 40).join('\n')}`);
    const valid = results.filter((r) => r.entry.category === 'valid');
    assert.ok(valid.every((r) => r.g.status === 200 && r.g.body === 'upstream ok'), 'every valid token reaches the upstream through Gatehouse');
    assert.ok(results.some((r) => r.entry.category === 'expired' && r.h.body === 'JWT has expired'), 'the corpus exercises the last rule');
  } finally {
    for (const c of clients) c.close();
    await gateway.stop();
    await haproxy.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  }
});
