/**
 * The three proxies of the differential suite, each started from a temp config in front of its own
 * recording backend, with the same policy: `/private` needs a token, `/public` and the rest are open.
 *
 * - Gatehouse: a real `gatehouse gateway` process, an RS256 seed-mode policy on a `/private` route that
 *   forwards the token's `sub` as X-User-Id, `/public` with `auth: false`, request IDs on (they tie each
 *   backend request to its access-log line), the access log read from its stdout.
 * - HAProxy 2.6: `http-request deny deny_status 401 if { path_beg /private }` (no valid token is sent to it).
 * - nginx: `location /private { return 401; }`, upgrades passed with `$http_upgrade`, upstream keep-alive.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { startGatewayProcess, tempDir, type GatewayProcess } from '../support/gateway-process.js';
import { freePort, startProcess, type Running } from '../auth/e2e/processes.js';
import { rawToken } from '../auth/support.js';
import { issueCertificate } from '../../../src/gateway/tls/local-ca.js';

export const HAPROXY = '/usr/sbin/haproxy';
export const NGINX = '/usr/sbin/nginx';
export const ISSUER = 'https://local.fusionauth.io';
export const AUDIENCE = '85a03867-dccf-4882-adde-1a79aeec50df';
export const SUBJECT = 'user-~token~';

export interface Proxy {
  readonly name: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface GatehouseProxy extends Proxy {
  readonly process: GatewayProcess;
  /** A valid RS256 token for /private (sub = SUBJECT). */
  readonly token: string;
}

export function gatehouseYaml(o: { upstream: string; pubkeyPath: string; server?: string; accessLog?: boolean; tls?: { cert: string; key: string } }): string {
  return `workers: 1
access_log: ${o.accessLog ?? true}
auth:
  fusionauth:
    response: seed
    algorithms: [RS256]
    issuer: ${ISSUER}
    audience: ${AUDIENCE}
    keys: { file: ${JSON.stringify(o.pubkeyPath)} }
    forward: { headers: { X-User-Id: sub } }
frontends:
  web:
    bind: 127.0.0.1:0
    default_backend: app
    request_id: true${o.server === undefined ? '' : `\n    server: ${o.server}`}${o.tls === undefined ? '' : `\n    tls: { cert: ${JSON.stringify(o.tls.cert)}, key: ${JSON.stringify(o.tls.key)} }`}
    routes:
      - { path_prefix: /private, backend: app, auth: fusionauth }
      - { path_prefix: /public, backend: app, auth: false }
backends:
  app: { servers: { a: { address: "${o.upstream}" } } }
`;
}

let sharedKeys: { publicKey: KeyObject; privateKey: KeyObject } | undefined;
function keyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  sharedKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return sharedKeys;
}

function validToken(key: KeyObject): string {
  const now = Math.floor(Date.now() / 1000);
  return rawToken(JSON.stringify({ alg: 'RS256', typ: 'JWT' }), JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: SUBJECT, exp: now + 3600, iat: now - 10 }), key, 'RS256');
}

/**
 * `server`: the frontend's `server:` setting (e.g. `node`), or the default. `accessLog: false` for long
 * runs (the test process keeps every log line it reads).
 */
/** `tls`: the frontend terminates TLS (a certificate from the gateway's own JS CA; clients do not verify it). */
export async function startGatehouse(upstream: string, server?: string, accessLog = true, tls = false): Promise<GatehouseProxy> {
  const dir = tempDir('gatehouse-differential-');
  // one key for every instance, so a case's token is valid on each
  const pubkeyPath = join(dir, 'pubkey.pem');
  const keys = keyPair();
  writeFileSync(pubkeyPath, keys.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  let certificate: { cert: string; key: string } | undefined;
  if (tls) {
    const leaf = issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], issuer: issueCertificate({ commonName: 'differential test CA' }) });
    certificate = { cert: join(dir, 'site.pem'), key: join(dir, 'site.key') };
    writeFileSync(certificate.cert, leaf.cert);
    writeFileSync(certificate.key, leaf.key);
  }
  const process = await startGatewayProcess(gatehouseYaml({ upstream, pubkeyPath, server, accessLog, tls: certificate }));
  await process.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
  return {
    name: server === undefined ? 'gatehouse' : `gatehouse-${server}`,
    port: process.port('web'),
    process,
    token: validToken(keys.privateKey),
    stop: async () => void (await process.stop()),
  };
}

async function started(name: string, command: string, args: string[], port: number): Promise<Proxy> {
  const running: Running = await startProcess(command, args, port);
  return { name, port, stop: () => running.stop() };
}

/**
 * `reuseAlways`: `http-reuse always` with one server connection (`maxconn 1`), so every client's requests
 * share it; `open`: no deny rule (HAProxy as a plain front proxy, e.g. in front of Gatehouse).
 */
export async function startHaproxy(upstream: string, options: { reuseAlways?: boolean; open?: boolean } = {}): Promise<Proxy> {
  const dir = tempDir('haproxy-differential-');
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, `global
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  timeout http-request 5s
  timeout tunnel 10s
frontend web
  bind 127.0.0.1:${port}
${options.open === true ? '' : '  http-request deny deny_status 401 if { path_beg /private }\n'}  default_backend app
backend app
${options.reuseAlways === true ? '  http-reuse always\n' : ''}  server a ${upstream}${options.reuseAlways === true ? ' maxconn 1' : ''}
`);
  return started('haproxy', HAPROXY, ['-db', '-f', config], port);
}

export async function startNginx(upstream: string): Promise<Proxy> {
  const dir = tempDir('nginx-differential-');
  const port = await freePort();
  const config = join(dir, 'nginx.conf');
  writeFileSync(config, `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream app { server ${upstream}; keepalive 32; }
  server {
    listen 127.0.0.1:${port};
    location /private { return 401; }
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
    }
  }
}
`);
  return started('nginx', NGINX, ['-p', dir, '-c', config], port);
}
