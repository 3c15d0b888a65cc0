/**
 * The upstream's response headers on their way to the client (clientResponseHeaders): every hop-by-hop
 * header goes, whatever its case — Connection and the names it lists, Keep-Alive, TE, Trailer,
 * Transfer-Encoding, Upgrade, Proxy-* — and every other header stays, in order, repeats included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientResponseHeaders } from '../../../src/gateway/forward/index.js';

const KEPT = [
  'Server', 'nginx', 'Date', 'Sun, 29 Nov 2026 06:00:00 GMT', 'Content-Type', 'text/plain', 'Content-Length', '2',
  'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'ETag', '"x"', 'Vary', 'Accept', 'X-Proxied-By', 'upstream', 'Px', '1',
  'Trailers', 'not a hop-by-hop name', 'Upgrade-Insecure-Requests', '1', 'Prox', 'short',
];

test('hop-by-hop response headers are removed in any case; the rest stay in order', () => {
  const hop = [
    'Connection', 'keep-alive', 'KEEP-ALIVE', 'timeout=5', 'te', 'trailers', 'TE', 'gzip', 'Trailer', 'Expires',
    'transfer-encoding', 'chunked', 'Upgrade', 'h2c', 'Proxy-Authenticate', 'Basic', 'PROXY-Status', 'ok', 'proxy-x', '1',
  ];
  // interleaved: hop-by-hop names between the kept ones
  const raw: string[] = [];
  for (let i = 0; i < Math.max(hop.length, KEPT.length); i += 2) {
    if (i < KEPT.length) raw.push(KEPT[i] as string, KEPT[i + 1] as string);
    if (i < hop.length) raw.push(hop[i] as string, hop[i + 1] as string);
  }
  assert.deepEqual(clientResponseHeaders(raw), KEPT);
});

test('headers named by Connection are removed too, whatever their length or case', () => {
  for (const connection of ['close, X-Secret-Hop', 'X-SECRET-HOP,keep-alive', 'x-secret-hop']) {
    const raw = ['X-Secret-Hop', 'gone', ...KEPT, 'Connection', connection, 'x-secret-hop', 'gone too'];
    assert.deepEqual(clientResponseHeaders(raw), KEPT, connection);
  }
  // the usual values name nothing: nothing else goes
  for (const connection of ['keep-alive', 'Keep-Alive', 'close', 'CLOSE', 'keep-alive, close']) {
    assert.deepEqual(clientResponseHeaders(['Connection', connection, ...KEPT]), KEPT, connection);
  }
});
