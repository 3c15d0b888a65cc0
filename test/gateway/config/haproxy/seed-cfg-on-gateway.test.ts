/**
 * End to end: the seed's haproxy.cfg, unchanged, run by a real `gatehouse gateway --config haproxy.cfg`
 * process in front of a real upstream, answers the seed's curl cases (no token → 403 'Missing
 * Authorization HTTP header', valid RS256 token → 200, expired → 403 'JWT has expired'...), reloads on
 * SIGHUP like a YAML file, and — when HAProxy 2.6 is installed — answers exactly as HAProxy running the
 * same file does (status, body, content-type, and the headers the backend received).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { findExecutable } from '../../../support/services.js';
import { CLI, startGatewayProcess, tempDir } from '../../support/gateway-process.js';
import { newRsaKey, rsaKey, token } from '../../auth/support.js';
import { client } from '../../auth/e2e/http-client.js';
import { freePort, startProcess } from '../../auth/e2e/processes.js';
import { HAPROXY } from '../../auth/e2e/seed-setup.js';
import { seedCfg, SEED_AUDIENCE, SEED_ISSUER } from './seed-cfg.js';
import { addressOf, headerEcho, RECEIVED } from './received-headers.js';

function cases(nowS: number): Array<{ name: string; authorization: string | undefined; status: number; body: string }> {
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: SEED_ISSUER, aud: SEED_AUDIENCE, sub: 'u1', iat: nowS - 10, exp: nowS + 3600, ...extra });
  return [
    { name: 'no token', authorization: undefined, status: 403, body: 'Missing Authorization HTTP header' },
    { name: 'valid RS256 token', authorization: `Bearer ${token({ claims: claims() })}`, status: 200, body: 'upstream ok' },
    { name: 'expired', authorization: `Bearer ${token({ claims: claims({ exp: nowS - 60 }) })}`, status: 403, body: 'JWT has expired' },
    { name: 'wrong issuer', authorization: `Bearer ${token({ claims: claims({ iss: 'https://evil.example' }) })}`, status: 403, body: 'Invalid JWT issuer' },
    { name: 'wrong audience', authorization: `Bearer ${token({ claims: claims({ aud: 'someone-else' }) })}`, status: 403, body: 'Invalid JWT audience' },
    { name: 'other key', authorization: `Bearer ${token({ claims: claims(), key: newRsaKey().privateKey })}`, status: 403, body: 'Invalid JWT signature' },
    { name: 'HS256', authorization: `Bearer ${token({ claims: claims(), alg: 'HS256', key: Buffer.from('secret') })}`, status: 403, body: 'Unsupported JWT signing algorithm' },
    { name: 'Basic credentials', authorization: 'Basic dXNlcjpwYXNz', status: 403, body: 'Unsupported JWT signing algorithm' },
  ];
}

test("the seed's haproxy.cfg runs on gatehouse gateway, reloads on SIGHUP, and answers as HAProxy 2.6 does", async (t) => {
  const dir = tempDir('gatehouse-cfg-');
  const pubkeyPath = join(dir, 'pubkey.pem');
  writeFileSync(pubkeyPath, rsaKey().publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const upstream = await headerEcho('web', (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    return 'upstream ok';
  });
  const upstreamAddress = addressOf(upstream);
  const cfg = seedCfg({ bind: '"127.0.0.1:${PORT}"', upstream: upstreamAddress, pubkeyPath });
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, cfg);

  // `gatehouse check` reads the same file
  const check = spawnSync(process.execPath, [CLI, 'check', '--config', cfgPath], { env: { ...process.env, PORT: '0' }, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /OK \(1 frontend\(s\), 1 backend\(s\), 1 server\(s\), 1 auth policy/);
  assert.match(check.stderr, /stricter checks still apply/);

  const gateway = await startGatewayProcess(cfg, [], { PORT: '0' }, 'haproxy.cfg');
  const clients: Array<ReturnType<typeof client>> = [];
  const haproxyPath = findExecutable(HAPROXY);
  let haproxy: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    await gateway.waitForLine((l) => l.frontend === 'myfrontend' && typeof l.port === 'number');
    assert.match(gateway.stderr.join(''), /haproxy\.cfg: read as HAProxy configuration .* stricter checks still apply/);
    const viaGatehouse = client(gateway.port('myfrontend'));
    clients.push(viaGatehouse);
    const nowS = Math.floor(Date.now() / 1000);
    for (const c of cases(nowS)) {
      const answer = await viaGatehouse.get(c.authorization);
      assert.deepEqual([answer.status, answer.body], [c.status, c.body], c.name);
      if (c.status === 403) assert.equal(answer.headers['content-type'], 'text/html', c.name);
    }

    if (haproxyPath === undefined) {
      if (process.env.CI === 'true') assert.fail(`${HAPROXY} is required in CI`);
      t.diagnostic(`SKIPPED the HAProxy comparison: ${HAPROXY} is not installed`);
    } else {
      const port = await freePort();
      haproxy = await startProcess(haproxyPath, ['-db', '-f', cfgPath], port, { PORT: String(port) });
      const viaHaproxy = client(port);
      clients.push(viaHaproxy);
      for (const c of cases(nowS)) {
        const [h, g] = await Promise.all([viaHaproxy.get(c.authorization), viaGatehouse.get(c.authorization)]);
        assert.deepEqual([g.status, g.body, g.headers['content-type'], g.headers[RECEIVED]], [h.status, h.body, h.headers['content-type'], h.headers[RECEIVED]], `${c.name}: Gatehouse vs HAProxy (status, body, type, the headers the backend received)`);
      }
    }

    // SIGHUP: an edited file (another audience) is translated and applied like a YAML reload
    gateway.writeConfig(cfg.replace(`-m str ${SEED_AUDIENCE}`, '-m str another-app'));
    gateway.child.kill('SIGHUP');
    const valid = cases(nowS)[1]!;
    for (let i = 0; i < 100; i++) {
      if ((await viaGatehouse.get(valid.authorization)).body === 'Invalid JWT audience') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await viaGatehouse.get(valid.authorization).then((a) => [a.status, a.body]), [403, 'Invalid JWT audience']);
  } finally {
    for (const c of clients) c.close();
    await haproxy?.stop();
    await gateway.stop();
    await new Promise((r) => upstream.close(r));
  }
});
