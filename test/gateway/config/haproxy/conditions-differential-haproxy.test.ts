/**
 * Proof by difference for conditions and header rules: one haproxy.cfg with named defaults and `from`,
 * `!`, `unless`, `src`, `path`, `path_end`, `path_reg`, `hdr_beg(host)`, `hdr_end(host) -i`, `method`, `||`
 * and implicit AND on use_backend and http-request rules, conditional set-header/add-header/del-header,
 * and backend http-request rules (set-header, conditional add-header, deny, del-header), run by HAProxy 2.6
 * and by `gatehouse gateway`. The same requests (methods × hosts × paths × two source addresses × two
 * header sets) through both, compared on status, body, content-type, the backend chosen, the path and
 * every header the backend received (./received-headers.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type Server } from 'node:http';
import { requireExecutable } from '../../../support/services.js';
import { startBoth } from './both.js';
import { HAPROXY } from '../../auth/e2e/seed-setup.js';
import { addressOf, headerEcho, RECEIVED } from './received-headers.js';
import { conditionsCfg as cfg } from './conditions-cfg.js';

interface Seen {
  status: number;
  body: string;
  type: string | undefined;
  received: string | undefined;
}

function send(agent: Agent, port: number, method: string, path: string, headers: Record<string, string>): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'], received: res.headers[RECEIVED] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('HAProxy 2.6 and Gatehouse running the same conditions-and-header-rules haproxy.cfg answer alike and send the same headers upstream', async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  const servers: Record<string, Server> = { api: await headerEcho('api'), writes: await headerEcho('writes'), web: await headerEcho('web') };
  const addresses = Object.fromEntries(Object.entries(servers).map(([n, s]) => [n, addressOf(s)]));
  const both = await startBoth(HAPROXY, cfg(addresses), 'edge');
  const agents = { '127.0.0.1': new Agent({ keepAlive: true, maxSockets: 4, localAddress: '127.0.0.1' }), '127.0.0.2': new Agent({ keepAlive: true, maxSockets: 4, localAddress: '127.0.0.2' }) };
  try {
    const methods = ['GET', 'POST', 'DELETE', 'PUT'];
    const hosts = ['www.example.com', 'api.example.com', 'API.example.com', 'shop.prod.example.com', 'x.PROD.example.com'];
    const paths = ['/', '/index.php', '/internal/x', '/internal', '/v1/items', '/v12/x?q=1', '/vx/items', '/old-home', '/old-home/x', '/api/thing', '/x.asp?y=1', '/a/b.php/c'];
    const extras: Array<Record<string, string>> = [{}, { 'x-debug': '1', 'x-canary-cookie': 'c', 'x-env': 'forged', 'x-tag': 'client', 'x-audit': 'client' }];
    let compared = 0;
    const chosen = new Set<string>();
    const statuses = new Set<number>();
    for (const [source, agent] of Object.entries(agents)) {
      for (const method of methods) {
        for (const host of hosts) {
          for (const path of paths) {
            for (const extra of extras) {
              const headers = { host, ...extra };
              const [h, g] = [await send(agent, both.haproxyPort, method, path, headers), await send(agent, both.gatehousePort, method, path, headers)];
              const what = `${source} ${method} ${host}${path} ${JSON.stringify(extra)}`;
              assert.deepEqual({ status: g.status, body: g.body, type: g.type, received: g.received }, { status: h.status, body: h.body, type: h.type, received: h.received }, what);
              if (h.status === 200) chosen.add((JSON.parse(h.body) as { server: string }).server);
              statuses.add(h.status);
              compared++;
            }
          }
        }
      }
    }
    t.diagnostic(`${compared} requests compared, no differences`);
    assert.ok(compared >= 900);
    assert.deepEqual([...chosen].sort(), ['api', 'web', 'writes'], 'every backend was chosen');
    assert.deepEqual([...statuses].sort(), [200, 403, 405, 410], 'every answer was given');
  } finally {
    for (const agent of Object.values(agents)) agent.destroy();
    await both.stop();
    for (const s of Object.values(servers)) await new Promise((r) => s.close(r));
  }
});
