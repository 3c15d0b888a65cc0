/**
 * `stats enable` / `stats uri` in a frontend that also proxies: a `stats: true` route answering the stats
 * page on that frontend's port for paths under the prefix, after the http-request answers and before
 * use_backend (HAProxy's order); other paths are proxied as before. `stats auth` stays an error.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { startInProcess } from '../../support/in-process.js';
import { startUpstream } from '../../support/upstream.js';

const app = await startUpstream('app');
after(() => app.close());

const cfg = (extra: string) => `defaults\n  mode http\nfrontend web\n  bind 127.0.0.1:0\n  http-request deny if { path_beg /stats/secret }\n${extra}  use_backend app if { path_beg /stats }\n  default_backend app\nbackend app\n  server a1 ${app.address}\n`;

test('stats uri in a proxying frontend becomes a stats route between the answers and use_backend', async () => {
  const t = translateHaproxy(cfg('  stats enable\n  stats uri /stats\n  stats refresh 10s\n'), 's.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  const routes = (t.config.frontends as any).web.routes;
  assert.deepEqual(routes[1], { match: [{ path: { begins: ['/stats'] } }], stats: true });
  assert.match(t.warnings.join('\n'), /s\.cfg:8: stats refresh/);
  const gw = await startInProcess(t.config);
  try {
    const page = await request(`${gw.url}/stats`);
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    const html = await page.body.text();
    assert.match(html, /a1/, 'the page lists the servers');
    const denied = await request(`${gw.url}/stats/secret`);
    await denied.body.dump();
    assert.equal(denied.statusCode, 403, 'http-request rules come first');
    const proxied = await request(`${gw.url}/other`);
    assert.equal(JSON.parse(await proxied.body.text()).server, 'app');
  } finally {
    await gw.close();
  }
});

test('stats enable alone uses HAProxy\'s /haproxy?stats (warned: the query is not matched); stats auth is refused', () => {
  const t = translateHaproxy(cfg('  stats enable\n'), 'e.cfg', { env: {} });
  assert.deepEqual((t.config.frontends as any).web.routes[1], { match: [{ path: { begins: ['/haproxy'] } }], stats: true });
  assert.match(t.warnings.join('\n'), /HAProxy also requires \?stats/);
  const auth = translateHaproxy(cfg('  stats enable\n  stats auth admin:secret\n'), 'a.cfg', { env: {} });
  assert.match(auth.errors.join('\n'), /a\.cfg:7: "stats auth <user>:<password>": stats auth \(the stats page has no password here\); nearest gatehouse\.yaml: admin/);
  assert.doesNotMatch(auth.errors.join('\n'), /secret/, 'the credential is not repeated');
});
