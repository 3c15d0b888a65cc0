/**
 * Fuzz: 120,000 mutated tokens (bit flips, truncations, swapped segments, re-encodings, JSON edits)
 * derived from valid RS256 and ES256 tokens. In process, every one goes through authorize(): none
 * throws, and a token is accepted only if it is byte-for-byte one of the original valid tokens (after
 * stripping optional whitespace around it) and an independent verifier (jose) accepts it. A sample of 4,000 goes through a real gateway process,
 * which must answer every request (200 only for original tokens) and still serve afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { startGatewayProcess, tempDir } from '../../support/gateway-process.js';
import { AUDIENCE, ecKey, ISSUER, NOW_S, policy, rsaKey, token, validClaims, clock, NOW_MS } from '../support.js';
import { client, pool } from './http-client.js';
import { mutatedTokens } from './mutate.js';

const rs = rsaKey();
const ec = ecKey();

function originals(nowS: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 20; i++) {
    const claims = validClaims({ sub: `user-${i}`, exp: nowS + 3600, iat: nowS - 5, roles: ['user'], scope: 'read write' });
    out.push(i % 4 === 3 ? token({ alg: 'ES256', key: ec.privateKey, header: { alg: 'ES256', typ: 'JWT', kid: 'ec' }, claims }) : token({ claims, header: { alg: 'RS256', typ: 'JWT', kid: 'rsa' } }));
  }
  return out;
}

const keys = { keys: [{ ...rs.publicJwk, kid: 'rsa' }, { ...ec.publicJwk, kid: 'ec' }] };

test('120,000 mutated tokens in process: no exception, nothing accepted that is not semantically valid', async (t) => {
  clock.now = NOW_MS;
  const p = await policy({ algorithms: ['RS256', 'ES256'], keys: { jwks: keys }, forward: { headers: { 'X-User': 'sub', 'X-Roles': 'roles' } } }, 'fuzz');
  const valid = originals(NOW_S);
  const validSet = new Set(valid);
  const reasons = new Map<string, number>();
  let accepted = 0;
  const acceptedTokens = new Set<string>();
  const unexpected: string[] = [];
  for (const mutated of mutatedTokens(valid, 120_000, 7)) {
    let decision;
    try {
      decision = await p.authorize({ method: 'GET', path: '/', headers: { authorization: `Bearer ${mutated}` } });
    } catch (error) {
      assert.fail(`authorize threw ${(error as Error).name}: ${(error as Error).message}`);
    }
    const reason = decision.ok ? 'OK' : decision.reason;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    if (decision.ok) {
      accepted++;
      // Spaces and tabs around the credential are optional whitespace (RFC 9110), stripped before parsing.
      const credential = mutated.replace(/^[ \t]+|[ \t]+$/g, '');
      if (validSet.has(credential)) acceptedTokens.add(credential);
      else unexpected.push(mutated);
    }
  }
  // Every accepted token must also pass an independent verifier with the same rules.
  for (const original of acceptedTokens) {
    const key = original.startsWith('eyJhbGciOiJFUzI1NiI') ? ec.publicKey : rs.publicKey;
    await jwtVerify(original, key, { issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp'], currentDate: new Date(NOW_MS) });
  }
  t.diagnostic(`reasons: ${[...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ')}`);
  assert.deepEqual(unexpected, [], 'accepted tokens that are not byte-identical to a valid original');
  assert.ok(accepted > 0 && accepted < 120_000, `some mutations are no-ops and stay valid (${accepted}), most are refused`);
  assert.ok((reasons.get('SIG') ?? 0) > 1000 && (reasons.get('MALFORMED') ?? 0) > 1000, 'the corpus reaches both the parser and the signature check');
  p.close();
});

test('4,000 mutated tokens through a real gateway process with 2 workers: every request answered, only originals pass, no worker crashed', async () => {
  const dir = tempDir('gatehouse-fuzz-');
  writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys));
  const upstream = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const config = `workers: 2
auth:
  api:
    algorithms: [RS256, ES256]
    issuer: ${ISSUER}
    audience: ${AUDIENCE}
    keys: { jwks: ${JSON.stringify(keys)} }
    forward: { headers: { X-User: sub, X-Roles: roles } }
frontends:
  web: { bind: 127.0.0.1:0, default_backend: app, auth: api }
backends:
  app:
    servers:
      s1: { address: 127.0.0.1:${(upstream.address() as AddressInfo).port} }
`;
  const gateway = await startGatewayProcess(config);
  const http = await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number').then(() => client(gateway.port('web')));
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const valid = originals(nowS);
    const validSet = new Set(valid);
    // Node's client refuses header values with control characters (except tab) and > U+00FF; so would any proxy.
    const sendable = [...mutatedTokens(valid, 4_500, 11)].filter((t) => /^[\t\x20-\x7e\x80-\xff]*$/.test(t)).slice(0, 4_000);
    assert.ok(sendable.length >= 3_900);
    const answers = await pool(sendable, 8, (t) => http.get(`Bearer ${t}`));
    const wrong = answers.map((a, i) => ({ a, t: sendable[i] as string })).filter(({ a, t }) => (a.status === 200) !== validSet.has(t.replace(/^[ \t]+|[ \t]+$/g, '')) || ![200, 401, 403].includes(a.status));
    assert.deepEqual(wrong.map(({ a, t }) => `${a.status} ${t.slice(0, 60)}`), []);
    assert.equal((await http.get(`Bearer ${valid[0]}`)).status, 200, 'still serving');
    assert.equal(gateway.child.exitCode, null, 'the gateway process did not exit');
    assert.ok(gateway.lines.some((l) => l.workers === 2), 'ran as a primary with 2 workers');
    const errors = gateway.lines.filter((l) => typeof l.level === 'number' && l.level >= 50);
    assert.deepEqual(errors, [], 'no error or fatal log line (a crashed worker is logged as an error by the primary)');
  } finally {
    http.close();
    assert.equal(await gateway.stop(), 0, 'clean exit on SIGTERM');
    await new Promise<void>((r) => upstream.close(() => r()));
  }
});
