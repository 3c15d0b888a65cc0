/**
 * Backups and health checks from one haproxy.cfg, HAProxy 2.6 vs Gatehouse: while the checked primary
 * answers its checks, both send traffic to it; once its checks fail (fall 1), both send it to the backup;
 * when it passes again (rise 1), both return to it. The server chosen receives the same headers from both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireExecutable } from '../../../support/services.js';
import { client } from '../../auth/e2e/http-client.js';
import { startBoth } from './both.js';
import { HAPROXY } from '../../auth/e2e/seed-setup.js';
import { addressOf, headerEcho, RECEIVED } from './received-headers.js';

test('HAProxy 2.6 and Gatehouse fail over to the backup server and back on the same checks', async (t) => {
  const haproxyPath = requireExecutable(t, HAPROXY);
  if (haproxyPath === false) return;
  let primaryHealthy = true;
  const primary = await headerEcho('primary', (req, res) => {
    if (req.url === '/health') res.statusCode = primaryHealthy ? 200 : 503;
    return req.url === '/health' ? '' : 'primary';
  });
  const backup = await headerEcho('backup', () => 'backup');
  const cfg = `defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s

frontend www
  bind "127.0.0.1:\${PORT}"
  default_backend app

backend app
  option httpchk GET /health
  default-server inter 100ms rise 1 fall 1
  server p1 ${addressOf(primary)} check
  server b1 ${addressOf(backup)} check backup
`;
  const both = await startBoth(haproxyPath, cfg, 'www');
  const clients: Array<ReturnType<typeof client>> = [];
  try {
    const viaHaproxy = client(both.haproxyPort);
    const viaGatehouse = client(both.gatehousePort);
    clients.push(viaHaproxy, viaGatehouse);
    /** Polls both until each answers `body` (checks run on their own clocks), then requires 5 more alike. */
    const settle = async (body: string) => {
      for (const [name, c] of [['HAProxy', viaHaproxy], ['Gatehouse', viaGatehouse]] as const) {
        let last = '';
        for (let i = 0; i < 100 && last !== body; i++) {
          last = (await c.get(undefined)).body;
          if (last !== body) await new Promise((r) => setTimeout(r, 50));
        }
        assert.equal(last, body, `${name} never answered from ${body}`);
        for (let i = 0; i < 5; i++) assert.equal((await c.get(undefined)).body, body, `${name} after settling`);
      }
      // the server chosen received the same headers from both
      const [h, g] = [await viaHaproxy.get(undefined), await viaGatehouse.get(undefined)];
      assert.deepEqual([g.body, g.headers[RECEIVED]], [h.body, h.headers[RECEIVED]], `headers received by ${body}`);
    };
    await settle('primary');
    primaryHealthy = false;
    await settle('backup');
    primaryHealthy = true;
    await settle('primary');
  } finally {
    for (const c of clients) c.close();
    await both.stop();
    await new Promise((r) => primary.close(r));
    await new Promise((r) => backup.close(r));
  }
});
