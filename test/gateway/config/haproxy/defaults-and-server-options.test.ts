/**
 * Several and named `defaults` sections with HAProxy 2.6's rules (the last one before a proxy, or
 * `from <name>`), `timeout http-keep-alive` (→ timeouts.keep_alive), `option httpclose` (→ keep_alive:
 * false), and the server options `ssl`, `verify`, `ca-file`, `sni str()`, `maxconn` (→ the backend's `tls`
 * and `max_connections`). Each result passes the gateway's schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { translateValid } from './translate-valid.js';

const translate = (cfg: string) => translateValid(cfg, 'd.cfg');

test('each proxy uses the last defaults before it, or the one named by from; backends with different defaults get their own timeouts', () => {
  const c = translate(`defaults base
  mode http
  timeout client 30s
  timeout connect 5s
  timeout server 30s

defaults slow from base
  timeout server 5m

frontend f
  bind 127.0.0.1:8080
  default_backend reports

backend reports
  server r 10.0.0.1:80

backend api from base
  server a 10.0.0.2:80
`);
  assert.deepEqual(c.timeouts, { client: 30_000, connect: 5_000 });
  assert.deepEqual(c.backends.reports.timeouts, { server: 300_000 });
  assert.deepEqual(c.backends.api.timeouts, { server: 30_000 });
});

test('one anonymous defaults keeps its timeouts gateway-wide; a frontend whose defaults disagree on a client timeout is refused', () => {
  const c = translate('defaults\n  mode http\n  timeout server 10s\n  timeout http-keep-alive 2s\nfrontend f\n  bind :80\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n');
  assert.deepEqual(c.timeouts, { server: 10_000, keep_alive: 2_000 });
  const t = translateHaproxy('defaults\n  mode http\n  timeout client 10s\nfrontend a\n  bind :80\n  default_backend b\ndefaults\n  mode http\n  timeout client 20s\nfrontend c\n  bind :81\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n', 'w.cfg', { env: {} });
  assert.match(t.errors.join('\n'), /^w\.cfg:9: "timeout client 20s": frontends with different client timeouts; nearest gatehouse\.yaml: timeouts\.client/);
  const missing = translateHaproxy('defaults\n  mode http\nbackend b from nowhere\n  server s 10.0.0.1:80\n', 'n.cfg', { env: {} });
  assert.match(missing.errors.join('\n'), /n\.cfg:3: .*no defaults section named nowhere before this line/);
});

test('mode http comes from the defaults a proxy uses', () => {
  const t = translateHaproxy('defaults web\n  mode http\ndefaults\n  timeout client 1s\nbackend b\n  server s 10.0.0.1:80\nbackend c from web\n  server s 10.0.0.1:80\n', 'm.cfg', { env: {} });
  assert.equal(t.errors.length, 1, t.errors.join('\n'));
  assert.match(t.errors[0] as string, /^m\.cfg:5: .*would run in mode tcp/);
});

test('option httpclose in defaults or a frontend closes client connections after each response (keep_alive: false)', () => {
  const c = translate('defaults\n  mode http\n  option httpclose\nfrontend f\n  bind :80\n  default_backend b\nlisten l\n  bind :81\n  server s 10.0.0.2:80\nbackend b\n  server s 10.0.0.1:80\n');
  assert.equal(c.frontends.f.keep_alive, false);
  assert.equal(c.frontends.l.keep_alive, false);
  const own = translate('defaults\n  mode http\nfrontend f\n  bind :80\n  option httpclose\n  default_backend b\nfrontend g\n  bind :81\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n');
  assert.equal(own.frontends.f.keep_alive, false);
  assert.equal(own.frontends.g.keep_alive, undefined);
});

test('server ssl, verify, ca-file, sni str() and maxconn become the backend tls and max_connections; servers must agree', () => {
  const c = translate(`defaults
  mode http
frontend f
  bind :80
  default_backend secure
backend secure
  default-server ssl verify required ca-file /etc/ssl/internal-ca.pem sni str(api.internal) maxconn 64
  server a 10.0.0.1:443
  server b 10.0.0.2:443
backend open
  server a 10.0.0.3:443 ssl verify none
backend roots
  server a 10.0.0.4:443 ssl verify required
`);
  assert.deepEqual(c.backends.secure.tls, { ca: '/etc/ssl/internal-ca.pem', servername: 'api.internal' });
  assert.equal(c.backends.secure.max_connections, 64);
  assert.deepEqual(c.backends.open.tls, { verify: false });
  assert.equal(c.backends.roots.tls, true);
  const t = translateHaproxy('defaults\n  mode http\nbackend b\n  server a 10.0.0.1:443 ssl maxconn 10\n  server b 10.0.0.2:443 maxconn 20\n  server c 10.0.0.3:443 ssl sni req.hdr(host)\n', 's.cfg', { env: {} });
  const errors = t.errors.join('\n');
  assert.match(errors, /s\.cfg:5: .*different ssl, verify, ca-file or sni; nearest gatehouse\.yaml: backends\.<name>\.tls/);
  assert.match(errors, /s\.cfg:5: .*different maxconn; nearest gatehouse\.yaml: backends\.<name>\.max_connections/);
  assert.match(errors, /s\.cfg:6: .*sni req\.hdr\(host\); nearest gatehouse\.yaml: tls\.servername/);
  const warned = translateHaproxy('defaults\n  mode http\nbackend b\n  server a 10.0.0.1:443 ssl\n', 'w.cfg', { env: {} });
  assert.match(warned.warnings.join('\n'), /w\.cfg:4: ssl without verify or ca-file: Gatehouse verifies the servers against Node's root CAs/);
});

test('backend settings and maxconn preset in defaults apply to the proxies using them; redispatch and dontlognull are accepted', () => {
  const c = translate(`defaults
  mode http
  option dontlognull
  option redispatch
  retries 3
  balance leastconn
  maxconn 1000
  option httpchk GET /health
  default-server inter 3s fall 2
  timeout check 2s

frontend f
  bind :80
  default_backend app

backend app
  server a 10.0.0.1:80 check
  server b 10.0.0.2:80 check

defaults plain
  mode http

backend other from plain
  server c 10.0.0.3:80
`);
  assert.deepEqual(c.backends.app, {
    retries: 3,
    balance: 'leastconn',
    check: { method: 'GET', path: '/health', expect_status: '200-399', interval: 3000, timeout: 2000, rise: 2, fall: 2 },
    servers: { a: { address: '10.0.0.1:80' }, b: { address: '10.0.0.2:80' } },
  });
  assert.equal(c.frontends.f.max_connections, 1000);
  assert.deepEqual(c.backends.other, { servers: { c: { address: '10.0.0.3:80' } } }, 'a proxy using other defaults gets none of it');
});
