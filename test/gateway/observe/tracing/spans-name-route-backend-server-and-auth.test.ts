/**
 * Each request's exported span says what happened to it: method, path (no query string), status, the
 * frontend, route, backend and server, the auth policy's verdict (admitted, or denied with its reason
 * code) and the request ID; a 5xx is an error span, a 4xx is not; a request refused before routing has
 * a span too. The gateway's real JWT policy decides; spans go to a real OTLP/HTTP receiver. No token,
 * header value or query string is in any span.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closedPort, startUpstream } from '../../support/upstream.js';
import { startInProcess } from '../../support/in-process.js';
import { AUDIENCE, ISSUER, rsaKey, token, validClaims } from '../../auth/support.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { get, once, spanFor } from './support/traced-gateway.js';

test('spans carry route, backend, server, auth outcome with its reason, status and request ID', async (t) => {
  const receiver = await startOtlpReceiver();
  const upstream = await startUpstream('app');
  const now = Math.floor(Date.now() / 1000);
  const good = token({ claims: validClaims({ exp: now + 3600, iat: now - 10 }) });
  const expired = token({ claims: validClaims({ exp: now - 3600, iat: now - 7200 }) });
  const gateway = await startInProcess({
    access_log: false,
    tracing: { endpoint: receiver.endpoint },
    timeouts: { drain: '1s' },
    auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk } } },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        request_id: true,
        routes: [
          { path_prefix: '/api', backend: 'app', auth: 'jwt' },
          { path_prefix: '/down', backend: 'down' },
        ],
      },
    },
    backends: { app: { servers: { s1: { address: upstream.address } } }, down: { retries: 0, servers: { gone: { address: `127.0.0.1:${await closedPort()}` } } } },
  });
  const closeGateway = once(gateway.close);
  t.after(async () => {
    await closeGateway();
    await upstream.close();
    await receiver.close();
  });

  assert.equal((await get(gateway.port, '/api/ok?secret=q1', { authorization: `Bearer ${good}` })).status, 200);
  assert.equal((await get(gateway.port, '/api/expired', { authorization: `Bearer ${expired}` })).status, 401);
  assert.equal((await get(gateway.port, '/api/missing')).status, 401);
  assert.equal((await get(gateway.port, '/nowhere')).status, 404);
  assert.equal((await get(gateway.port, '/down/x')).status, 502);
  await closeGateway();
  const spans = await receiver.waitForSpans(5);

  const ok = spanFor(spans, '/api/ok');
  assert.equal(ok.name, 'GET routes[0]');
  assert.equal(ok.kind, 2);
  assert.equal(ok.statusCode, 0, 'a 200 is not an error');
  assert.deepEqual(
    { ...ok.attributes, 'gatehouse.request_id': typeof ok.attributes['gatehouse.request_id'], 'client.address': typeof ok.attributes['client.address'], 'http.response.body.size': typeof ok.attributes['http.response.body.size'] },
    {
      'http.request.method': 'GET',
      'url.path': '/api/ok',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.response.status_code': 200,
      'http.response.body.size': 'number',
      'client.address': 'string',
      'gatehouse.frontend': 'web',
      'gatehouse.route': 'routes[0]',
      'gatehouse.backend': 'app',
      'gatehouse.server': 's1',
      'gatehouse.auth.policy': 'jwt',
      'gatehouse.auth.outcome': 'admitted',
      'gatehouse.request_id': 'string',
    },
  );

  const expiredSpan = spanFor(spans, '/api/expired');
  assert.equal(expiredSpan.attributes['gatehouse.auth.outcome'], 'denied');
  assert.equal(expiredSpan.attributes['gatehouse.auth.reason'], 'EXP');
  assert.equal(expiredSpan.attributes['http.response.status_code'], 401);
  assert.equal(expiredSpan.attributes['gatehouse.server'], undefined, 'a denied request reaches no server');
  assert.equal(expiredSpan.statusCode, 0, 'a 4xx is the client side: not an error span');
  assert.equal(spanFor(spans, '/api/missing').attributes['gatehouse.auth.reason'], 'MISSING');

  const unrouted = spanFor(spans, '/nowhere');
  assert.equal(unrouted.name, 'GET');
  assert.equal(unrouted.attributes['gatehouse.route'], '-');
  assert.equal(unrouted.attributes['http.response.status_code'], 404);
  assert.equal(unrouted.attributes['gatehouse.backend'], undefined);
  assert.equal(unrouted.attributes['gatehouse.auth.outcome'], undefined);

  const down = spanFor(spans, '/down/x');
  assert.equal(down.statusCode, 2, 'a 5xx is an error span');
  assert.equal(down.attributes['error.type'], '502');
  assert.equal(down.attributes['gatehouse.backend'], 'down');
  assert.equal(down.attributes['gatehouse.server'], 'gone');
  assert.equal(down.attributes['gatehouse.auth.outcome'], undefined, 'no policy on this route');
  assert.equal(typeof down.attributes['gatehouse.error'], 'string');

  const everything = JSON.stringify(spans);
  for (const secret of [good, expired, 'secret=q1', 'Bearer']) assert.ok(!everything.includes(secret), `no ${secret.slice(0, 12)}… in any span`);
});
