/**
 * No token appears in any log line: a real gateway process at debug level (access log, denials,
 * reload), and the auth policy's own logging (key fetch failures, refused keys) through a pino logger.
 * A token is looked for whole and as its payload and signature segments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createAuthPolicy } from '../../../../src/gateway/auth/index.js';
import { createLogger } from '../../../../src/shared/logger.js';
import { startGatewayProcess } from '../../support/gateway-process.js';
import { startJwksServer } from '../jwks-server.js';
import { AUDIENCE, flipSignatureBit, ISSUER, newRsaKey, rsaKey, segments, token, validClaims } from '../support.js';
import { client } from './http-client.js';

function leaks(text: string, tokens: readonly string[]): string[] {
  const found: string[] = [];
  for (const t of tokens) {
    const [, payload, signature] = segments(t);
    for (const piece of [t, payload, signature]) if (piece.length >= 16 && text.includes(piece)) found.push(piece.slice(0, 24));
  }
  return found;
}

test('gateway process: access log, denials and reload never log a token', async () => {
  const upstream = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const jwks = JSON.stringify({ keys: [{ ...rsaKey().publicJwk, kid: 'k' }] });
  const config = `auth:
  api:
    issuer: ${ISSUER}
    audience: ${AUDIENCE}
    keys: { jwks: ${jwks} }
    forward: { headers: { X-User: sub } }
frontends:
  web: { bind: 127.0.0.1:0, default_backend: app, auth: api }
backends:
  app:
    servers:
      s1: { address: 127.0.0.1:${(upstream.address() as AddressInfo).port} }
`;
  const gateway = await startGatewayProcess(config, [], { GATEHOUSE_LOG_LEVEL: 'debug' });
  await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
  const http = client(gateway.port('web'));
  const sent: string[] = [];
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const live = (extra: Record<string, unknown> = {}) => validClaims({ exp: nowS + 3600, iat: nowS, ...extra });
    const good = token({ header: { alg: 'RS256', kid: 'k' }, claims: live() });
    const variants = [good, flipSignatureBit(good), token({ header: { alg: 'RS256', kid: 'k' }, claims: validClaims({ exp: 1 }) }), token({ header: { alg: 'RS256', kid: 'other' }, key: newRsaKey().privateKey, claims: live() }), `${good}.extra`, token({ header: { alg: 'RS256', kid: 'k' }, claims: live({ sub: 'x\r\ny' }) })];
    for (const t of variants) {
      sent.push(t);
      await http.get(`Bearer ${t}`);
      await http.get(`Bearer ${t}`, `/path?access_token=${t}`);
      await http.get(`Basic ${t}`);
    }
    assert.equal((await http.get(`Bearer ${good}`)).status, 200);
    gateway.child.kill('SIGHUP');
    await gateway.waitForLine((l) => typeof l.msg === 'string' && /reload/i.test(l.msg as string) && l !== undefined, 10_000).catch(() => undefined);
    await http.get(`Bearer ${good}`);
  } finally {
    http.close();
    await gateway.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  }
  const everything = [...gateway.lines.map((l) => JSON.stringify(l)), ...gateway.stderr].join('\n');
  assert.ok(gateway.lines.length >= 18, `the gateway logged (${gateway.lines.length} lines)`);
  assert.deepEqual(leaks(everything, sent.filter((t) => !t.endsWith('.extra'))), []);
});

test('auth policy logging (key fetch failures, refused keys) never logs a token or key material', async () => {
  const stream = new PassThrough();
  let logged = '';
  stream.on('data', (c: Buffer) => (logged += c.toString()));
  const logger = createLogger({ level: 'debug', destination: stream });
  const private1 = rsaKey().privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const server = await startJwksServer({ keys: [{ ...rsaKey().publicJwk, kid: 'good' }, { ...private1, kid: 'leaky' }, { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', kid: 'hmac' }] });
  const p = await createAuthPolicy('logs', { issuer: ISSUER, audience: AUDIENCE, keys: { jwks: server.url }, key_cache: { cooldown: 0 } }, { baseDir: '.', logger });
  const tokens = [token({ header: { alg: 'RS256', kid: 'unknown' } }), token({ header: { alg: 'RS256', kid: 'good' } })];
  server.status = 500;
  for (const t of tokens) await p.authorize({ method: 'GET', path: '/', headers: { authorization: `Bearer ${t}` } });
  p.close();
  await server.close();
  await new Promise((r) => setImmediate(r));
  assert.match(logged, /key refused/, 'the refused private key was logged (by kid)');
  assert.match(logged, /key set fetch failed/);
  assert.deepEqual(leaks(logged, tokens), []);
  for (const secret of [private1.d, private1.p, private1.q, 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', rsaKey().publicJwk.n]) {
    assert.ok(!logged.includes(String(secret).slice(0, 32)), 'no key material in the log');
  }
});
