/**
 * Certificates for TLS tests, made with the openssl CLI in a temp dir: a CA, then leaf certificates it
 * signs for DNS names / IP addresses (server and client use). Already-expired certificates come from
 * the gateway's own JS CA (openssl 3.0's `x509` cannot backdate), which `gatehouse up --tls` uses too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { issueCertificate } from '../../../../src/gateway/tls/local-ca.js';
import { requireExecutable } from '../../../support/services.js';

export interface PemPair {
  readonly cert: string;
  readonly key: string;
  /** Paths of the PEM files in the PKI's directory. */
  readonly certFile: string;
  readonly keyFile: string;
}

export interface Pki {
  readonly dir: string;
  readonly ca: PemPair;
  /** A certificate signed by this CA for `names` (DNS names or IPs); the first name is the CN. */
  issue(file: string, names: readonly string[], usage?: 'server' | 'client'): PemPair;
  /** Another CA's certificate, same names (a client of ours must refuse it). */
  foreign(file: string, names: readonly string[]): PemPair;
  /** A certificate that expired yesterday, from its own JS-made CA (`caFile`). */
  expired(file: string, names: readonly string[]): PemPair & { readonly caFile: string };
  close(): void;
}

function run(openssl: string, args: string[], cwd: string): void {
  execFileSync(openssl, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pair(dir: string, name: string): PemPair {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

/** Returns undefined (test skipped loudly; failed in CI) without openssl. */
export function createPki(t: TestContext, label = 'Gatehouse test CA'): Pki | undefined {
  const openssl = requireExecutable(t, 'openssl');
  if (openssl === false) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const makeCa = (name: string, cn: string) => run(openssl, ['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${cn}`], dir);
  makeCa('ca', label);
  makeCa('other-ca', 'Some other CA');
  const sign = (ca: string, file: string, names: readonly string[], usage: 'server' | 'client') => {
    run(openssl, ['req', ...ec, '-keyout', `${file}.key`, '-out', `${file}.csr`, '-subj', `/O=Gatehouse tests/CN=${names[0] ?? file}`], dir);
    const san = names.map((n) => (isIP(n) !== 0 ? `IP:${n}` : `DNS:${n}`)).join(',');
    writeFileSync(join(dir, `${file}.ext`), `${san === '' ? '' : `subjectAltName=${san}\n`}extendedKeyUsage=${usage === 'server' ? 'serverAuth' : 'clientAuth'}\nbasicConstraints=CA:FALSE\n`);
    run(openssl, ['x509', '-req', '-in', `${file}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '7', '-extfile', `${file}.ext`, '-out', `${file}.pem`], dir);
    return pair(dir, file);
  };
  return {
    dir,
    ca: pair(dir, 'ca'),
    issue: (file, names, usage = 'server') => sign('ca', file, names, usage),
    foreign: (file, names) => sign('other-ca', file, names, 'server'),
    expired(file, names) {
      const ca = issueCertificate({ commonName: 'Expired test CA' });
      const leaf = issueCertificate({ commonName: names[0] ?? file, names, issuer: ca, notBefore: Date.now() - 10 * 86_400_000, notAfter: Date.now() - 86_400_000 });
      const certFile = join(dir, `${file}.pem`);
      const keyFile = join(dir, `${file}.key`);
      const caFile = join(dir, `${file}-ca.pem`);
      writeFileSync(certFile, leaf.cert);
      writeFileSync(keyFile, leaf.key);
      writeFileSync(caFile, ca.cert);
      return { cert: leaf.cert, key: leaf.key, certFile, keyFile, caFile };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
