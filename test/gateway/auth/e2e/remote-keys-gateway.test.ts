/**
 * Remote keys in a real gateway process: the key set is fetched before the listener opens (the first
 * request is served from it), and a gateway whose JWKS cannot be fetched does not start listening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGatewayProcess } from '../../support/gateway-process.js';
import { closedPort } from '../../support/upstream.js';
import { startJwksServer } from '../jwks-server.js';
import { AUDIENCE, ISSUER, rsaKey, token, validClaims } from '../support.js';
import { client } from './http-client.js';

const config = (jwksUrl: string, upstreamPort: number) => `auth:
  api:
    issuer: ${ISSUER}
    audience: ${AUDIENCE}
    keys: { jwks: ${jwksUrl} }
frontends:
  web: { bind: 127.0.0.1:0, default_backend: app, auth: api }
backends:
  app:
    servers:
      s1: { address: 127.0.0.1:${upstreamPort} }
`;

test('the JWKS is fetched before the listener opens; an unreachable JWKS keeps the gateway from starting', async () => {
  const jwks = await startJwksServer({ keys: [{ ...rsaKey().publicJwk, kid: 'k' }] });
  const upstream = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const gateway = await startGatewayProcess(config(jwks.url, upstreamPort));
  try {
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
    assert.equal(jwks.hits.get('/jwks'), 1, 'fetched once, before listening');
    const http = client(gateway.port('web'));
    const nowS = Math.floor(Date.now() / 1000);
    assert.equal((await http.get(`Bearer ${token({ header: { alg: 'RS256', kid: 'k' }, claims: validClaims({ exp: nowS + 60, iat: nowS }) })}`)).status, 200);
    http.close();
  } finally {
    await gateway.stop();
  }

  const down = await startGatewayProcess(config(`http://127.0.0.1:${await closedPort()}/jwks`, upstreamPort));
  const code = down.child.exitCode ?? (await new Promise<number | null>((resolve) => down.child.once('exit', (c) => resolve(c))));
  assert.notEqual(code, 0);
  assert.ok(!down.lines.some((l) => l.frontend === 'web' && typeof l.port === 'number'), 'never listened');
  assert.match(down.stderr.join(''), /ERR_KEY_FETCH/);
  await jwks.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});
