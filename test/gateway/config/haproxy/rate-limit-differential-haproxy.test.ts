/**
 * The stick-table rate limit (track-sc0 src, deny_status 429 above N per period) run by HAProxy 2.6 and by
 * Gatehouse from the same haproxy.cfg: the same requests are admitted and the same ones refused with 429
 * (the 429 bodies differ: each has its own page, docs/haproxy.md); the admitted ones reach the backend with
 * the same headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireExecutable } from '../../../support/services.js';
import { client } from '../../auth/e2e/http-client.js';
import { startBoth } from './both.js';
import { HAPROXY } from '../../auth/e2e/seed-setup.js';
import { addressOf, headerEcho, RECEIVED } from './received-headers.js';

test('HAProxy 2.6 and Gatehouse admit the same first N requests of a client and refuse the rest with 429', async (t) => {
  const haproxyPath = requireExecutable(t, HAPROXY);
  if (haproxyPath === false) return;
  const upstream = await headerEcho('web', () => 'ok');
  const cfg = `defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend limited
  bind "127.0.0.1:\${PORT}"
  stick-table type ip size 1k expire 5m store http_req_rate(5m)
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 7 }
  default_backend web

backend web
  server w1 ${addressOf(upstream)}
`;
  const both = await startBoth(haproxyPath, cfg, 'limited');
  const clients: Array<ReturnType<typeof client>> = [];
  try {
    const viaHaproxy = client(both.haproxyPort, 1);
    const viaGatehouse = client(both.gatehousePort, 1);
    clients.push(viaHaproxy, viaGatehouse);
    const statuses: Array<[number, number]> = [];
    for (let i = 0; i < 12; i++) {
      const [h, g] = [await viaHaproxy.get(undefined), await viaGatehouse.get(undefined)];
      statuses.push([h.status, g.status]);
      if (h.status === 200) assert.equal(g.headers[RECEIVED], h.headers[RECEIVED], `request ${i}: the headers the backend received`);
    }
    assert.deepEqual(statuses.map(([h]) => h), [...Array<number>(7).fill(200), ...Array<number>(5).fill(429)], 'HAProxy');
    assert.deepEqual(statuses.map(([, g]) => g), statuses.map(([h]) => h), 'Gatehouse vs HAProxy');
  } finally {
    for (const c of clients) c.close();
    await both.stop();
    await new Promise((r) => upstream.close(r));
  }
});
