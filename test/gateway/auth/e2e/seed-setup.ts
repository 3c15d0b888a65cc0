/**
 * The seed's setup on both sides: HAProxy 2.6 running the seed's exact rules
 * (../shared/seed/000_a421513d137fa643.txt, "Add JWT requirement to HAProxy configuration file") with the
 * placeholders filled in, and the equivalent Gatehouse config (a seed-mode policy). Used by the
 * differential test, the SIGHUP test and the JWT benchmark.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, type Running } from './processes.js';

export const HAPROXY = '/usr/sbin/haproxy';
export const SEED_ISSUER = 'https://local.fusionauth.io';
export const SEED_AUDIENCE = '85a03867-dccf-4882-adde-1a79aeec50df';

/** The seed's policy as a Gatehouse config: one frontend, one backend, `bind` on `port` (0 = any). */
export function gatehouseSeedConfig(o: { pubkeyPath: string; upstream: string; port?: number; workers?: number; accessLog?: boolean }): string {
  return `workers: ${o.workers ?? 1}
access_log: ${o.accessLog ?? true}
auth:
  fusionauth:
    response: seed
    algorithms: [RS256]
    issuer: ${SEED_ISSUER}
    audience: ${SEED_AUDIENCE}
    keys: { file: ${JSON.stringify(o.pubkeyPath)} }
frontends:
  myfrontend: { bind: 127.0.0.1:${o.port ?? 0}, default_backend: webservers, auth: fusionauth }
backends:
  webservers:
    servers:
      s1: { address: ${o.upstream} }
`;
}

/** The seed's lines, verbatim except for the issuer, audience and key path placeholders. */
export function seedRules(issuer: string, audience: string, pubkeyPath: string): string {
  return `  http-request deny content-type 'text/html' string 'Missing Authorization HTTP header' unless { req.hdr(authorization) -m found }

  # get header part of the JWT
  http-request set-var(txn.alg) http_auth_bearer,jwt_header_query('$.alg')
  http-request set-var(txn.iss) http_auth_bearer,jwt_payload_query('$.iss')
  http-request set-var(txn.aud) http_auth_bearer,jwt_payload_query('$.aud')

  # get payload part of the JWT
  http-request set-var(txn.exp) http_auth_bearer,jwt_payload_query('$.exp','int')

  # Validate the JWT
  http-request deny content-type 'text/html' string 'Unsupported JWT signing algorithm'  unless { var(txn.alg) -m str RS256 }
  http-request deny content-type 'text/html' string 'Invalid JWT issuer'  unless { var(txn.iss) -m str ${issuer} }
  http-request deny content-type 'text/html' string 'Invalid JWT audience'  unless { var(txn.aud) -m str ${audience} }
  http-request deny content-type 'text/html' string 'Invalid JWT signature'  unless { http_auth_bearer,jwt_verify(txn.alg,"${pubkeyPath}") -m int 1 }

  http-request set-var(txn.now) date()
  http-request deny content-type 'text/html' string 'JWT has expired' if { var(txn.exp),sub(txn.now) -m int le 0 }
`;
}

export interface SeedHaproxyOptions {
  readonly dir: string;
  readonly port: number;
  readonly upstream: string;
  readonly issuer: string;
  readonly audience: string;
  readonly pubkeyPath: string;
  readonly threads?: number;
}

export function seedHaproxyConfig(o: SeedHaproxyOptions): string {
  return `global
  nbthread ${o.threads ?? 1}
  tune.bufsize 32768

defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 30s

frontend myfrontend
  bind 127.0.0.1:${o.port}
${seedRules(o.issuer, o.audience, o.pubkeyPath)}
  default_backend webservers

backend webservers
  http-reuse always
  server s1 ${o.upstream}
`;
}

export type HaproxyProcess = Running & { readonly port: number };

/** Starts HAProxy in the foreground (-db) with the seed config; resolves once it accepts connections. */
export async function startSeedHaproxy(options: Omit<SeedHaproxyOptions, 'port'>): Promise<HaproxyProcess> {
  const port = await freePort();
  const cfg = join(options.dir, 'haproxy.cfg');
  writeFileSync(cfg, seedHaproxyConfig({ ...options, port }));
  return { ...(await startProcess(HAPROXY, ['-db', '-f', cfg], port)), port };
}
