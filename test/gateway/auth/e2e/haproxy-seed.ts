/**
 * HAProxy 2.6 running the seed's exact rules (../shared/seed/000_a421513d137fa643.txt, "Add JWT
 * requirement to HAProxy configuration file"), with the placeholders filled in, as a real process on
 * 127.0.0.1. Used by the differential test and the JWT benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { canConnect } from '../../../support/services.js';

export const HAPROXY = '/usr/sbin/haproxy';

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

/** A free TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface HaproxyProcess {
  readonly port: number;
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts HAProxy in the foreground (-db) with the seed config; resolves once it accepts connections. */
export async function startSeedHaproxy(options: Omit<SeedHaproxyOptions, 'port'>): Promise<HaproxyProcess> {
  const port = await freePort();
  const cfg = join(options.dir, 'haproxy.cfg');
  writeFileSync(cfg, seedHaproxyConfig({ ...options, port }));
  const child = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
    if (await canConnect('127.0.0.1', port, 200)) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
