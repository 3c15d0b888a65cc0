/**
 * OCSP for TLS tests, all made by the openssl CLI in a temp dir: a CA, leaf certificates whose Authority
 * Information Access names a responder on a port chosen up front, an index file (valid / revoked), a
 * delegated OCSP signing certificate (id-kp-OCSPSigning), DER responses made offline (`openssl ocsp
 * -reqin … -respout …`), and a real responder (`openssl ocsp -port`) that serves RFC 6960 over HTTP.
 * Clients: Node's tls.connect with `requestOCSP: true` (what was stapled, or nothing).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect, type ConnectionOptions } from 'node:tls';
import { requireExecutable } from '../../../support/services.js';

export interface Leaf {
  readonly name: string;
  /** leaf + CA chain (PEM), as HAProxy's crt files hold it. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The leaf alone. */
  readonly leafFile: string;
}

export interface OcspPki {
  readonly dir: string;
  readonly caFile: string;
  /** The port the AIA URL names (the responder listens there once started). */
  readonly port: number;
  readonly url: string;
  issue(name: string, dnsName: string, options?: { aia?: boolean; mustStaple?: boolean }): Leaf;
  revoke(leaf: Leaf): void;
  /** A DER response for `leaf`, signed by `signer` ('ca', 'delegate', 'other-ca', 'not-ocsp-signer'), valid `minutes` (0: no nextUpdate). */
  respond(leaf: Leaf, options?: { signer?: Signer; minutes?: number }): Buffer;
  /** Starts `openssl ocsp -port` on `port`; returns a stop function. */
  startResponder(options?: { signer?: Signer; minutes?: number }): Promise<() => Promise<void>>;
  close(): void;
}

export type Signer = 'ca' | 'delegate' | 'other-ca' | 'not-ocsp-signer';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export async function createOcspPki(t: TestContext): Promise<OcspPki | undefined> {
  const openssl = requireExecutable(t, 'openssl');
  if (openssl === false) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ocsp-'));
  const run = (args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  run(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Gatehouse OCSP test CA']);
  run(['req', '-x509', ...EC, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '30', '-subj', '/CN=Gatehouse OCSP test CA']);
  writeFileSync(join(dir, 'index.txt'), '');
  const sign = (name: string, subject: string, ext: string) => {
    run(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7', '-extfile', `${name}.ext`, '-out', `${name}.leaf.pem`]);
    const serial = run(['x509', '-in', `${name}.leaf.pem`, '-noout', '-serial']).toString().trim().replace('serial=', '');
    const end = new Date(Date.now() + 7 * 86_400_000);
    const stamp = end.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    return { serial, stamp, subject };
  };
  const records = new Map<string, { serial: string; stamp: string; subject: string }>();
  sign('delegate', '/CN=Gatehouse OCSP responder', 'extendedKeyUsage=OCSPSigning\nbasicConstraints=CA:FALSE\n');
  sign('not-ocsp-signer', '/CN=not an OCSP signer', 'extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  const signers: Record<Signer, [string, string, string]> = {
    ca: ['ca.pem', 'ca.key', 'ca.pem'],
    delegate: ['delegate.leaf.pem', 'delegate.key', 'ca.pem'],
    'other-ca': ['other-ca.pem', 'other-ca.key', 'ca.pem'],
    'not-ocsp-signer': ['not-ocsp-signer.leaf.pem', 'not-ocsp-signer.key', 'ca.pem'],
  };
  const responder = (signer: Signer, minutes: number) => {
    const [cert, key, ca] = signers[signer];
    const validity = minutes === 0 ? [] : minutes % 1440 === 0 ? ['-ndays', String(minutes / 1440)] : ['-nmin', String(minutes)];
    return ['ocsp', '-index', 'index.txt', '-CA', ca, '-rsigner', cert, '-rkey', key, ...validity];
  };
  const pki: OcspPki = {
    dir,
    caFile: join(dir, 'ca.pem'),
    port,
    url,
    issue(name, dnsName, options = {}) {
      const aia = (options.aia === false ? '' : `authorityInfoAccess=OCSP;URI:${url}\n`) + (options.mustStaple === true ? 'tlsfeature=status_request\n' : '');
      const record = sign(name, `/CN=${dnsName}`, `subjectAltName=DNS:${dnsName}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n${aia}`);
      records.set(name, record);
      appendFileSync(join(dir, 'index.txt'), `V\t${record.stamp}\t\t${record.serial}\tunknown\t${record.subject}\n`);
      const leafFile = join(dir, `${name}.leaf.pem`);
      const certFile = join(dir, `${name}.pem`);
      writeFileSync(certFile, readFileSync(leafFile, 'utf8') + readFileSync(join(dir, 'ca.pem'), 'utf8'));
      return { name, certFile, keyFile: join(dir, `${name}.key`), leafFile };
    },
    revoke(leaf) {
      const record = records.get(leaf.name);
      if (record === undefined) throw new Error(`unknown leaf ${leaf.name}`);
      const now = new Date(Date.now() - 60_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
      const index = readFileSync(join(dir, 'index.txt'), 'utf8').replace(`V\t${record.stamp}\t\t${record.serial}\t`, `R\t${record.stamp}\t${now}\t${record.serial}\t`);
      writeFileSync(join(dir, 'index.txt'), index);
    },
    respond(leaf, options = {}) {
      const req = join(dir, `${leaf.name}.req.der`);
      const resp = join(dir, `${leaf.name}.resp.der`);
      run(['ocsp', '-issuer', 'ca.pem', '-cert', leaf.leafFile, '-no_nonce', '-reqout', req]);
      run([...responder(options.signer ?? 'ca', options.minutes ?? 1440), '-reqin', req, '-respout', resp]);
      return readFileSync(resp);
    },
    async startResponder(options = {}) {
      const child: ChildProcess = spawn(openssl, responder(options.signer ?? 'ca', options.minutes ?? 1440).concat(['-port', String(port)]), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const onData = (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ACCEPT') || out.includes('waiting for OCSP client')) resolve();
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (code) => reject(new Error(`openssl ocsp exited with ${code}: ${out}`)));
      });
      return async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
  return pki;
}

/** One handshake asking for OCSP (status_request); the stapled response, or null when none came. */
export function stapled(port: number, servername: string, ca: string, options: ConnectionOptions = {}): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    let response: Buffer | null = null;
    const socket = connect({ host: '127.0.0.1', port, servername, ca, requestOCSP: true, ...options } as ConnectionOptions, () => {
      socket.end();
      resolve(response);
    });
    socket.on('OCSPResponse', (der: Buffer | null | undefined) => {
      response = der ?? null;
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}
