/**
 * `gatehouse up --tls`: a local certificate authority and a certificate for localhost, 127.0.0.1 and ::1
 * in <data-dir>/tls, made in JS (src/gateway/tls/local-ca.ts; no openssl needed). Later starts reuse
 * them; the localhost certificate is renewed (by the same CA) when it has less than 30 days left or no
 * longer loads. Private keys are owner-only files; the CA key never leaves the data directory.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate } from '../../gateway/tls/local-ca.js';
import { readFileIfExists, writeFileAtomic } from './data-dir.js';

const CA_NAME = 'Gatehouse local development CA';
const DAY_MS = 86_400_000;

export interface LocalTlsFiles {
  readonly dir: string;
  /** The CA certificate: what curl's --cacert and browsers need. */
  readonly caCert: string;
  readonly caKey: string;
  readonly cert: string;
  readonly key: string;
  /** What this start did: created everything, renewed the localhost certificate, or reused both. */
  readonly action: 'created' | 'renewed' | 'reused';
}

export function localTlsPaths(dataDir: string): Omit<LocalTlsFiles, 'action'> {
  const dir = join(dataDir, 'tls');
  return { dir, caCert: join(dir, 'ca.pem'), caKey: join(dir, 'ca.key'), cert: join(dir, 'localhost.pem'), key: join(dir, 'localhost.key') };
}

function usable(certPem: string | undefined, keyPem: string | undefined, minimumMs: number): X509Certificate | undefined {
  if (certPem === undefined || keyPem === undefined) return undefined;
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    return Date.parse(cert.validTo) - Date.now() > minimumMs ? cert : undefined;
  } catch {
    return undefined;
  }
}

export function ensureLocalTls(dataDir: string, names: readonly string[] = ['localhost', '127.0.0.1', '::1']): LocalTlsFiles {
  const paths = localTlsPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const caPem = readFileIfExists(paths.caCert);
  const caKeyPem = readFileIfExists(paths.caKey);
  const caCert = usable(caPem, caKeyPem, 60 * DAY_MS);
  let action: LocalTlsFiles['action'] = 'reused';
  let ca;
  if (caCert === undefined) {
    ca = issueCertificate({ commonName: CA_NAME, notAfter: Date.now() + 10 * 365 * DAY_MS });
    writeFileAtomic(paths.caKey, ca.key, 0o600);
    writeFileAtomic(paths.caCert, ca.cert, 0o644);
    action = 'created';
  }
  const leafPem = readFileIfExists(paths.cert);
  const leaf = usable(leafPem, readFileIfExists(paths.key), 30 * DAY_MS);
  const signedByCa = leaf !== undefined && caCert !== undefined && leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey);
  if (action === 'created' || !signedByCa) {
    if (ca === undefined) {
      const existing = caCert as X509Certificate;
      ca = {
        commonName: CA_NAME,
        cert: caPem as string,
        key: caKeyPem as string,
        privateKey: createPrivateKey(caKeyPem as string),
        der: Buffer.from(existing.raw),
        // issueCertificate makes a key id as the SHA-1 of the public key: the same value, re-derived
        subjectKeyId: createHash('sha1').update(existing.publicKey.export({ type: 'spki', format: 'der' })).digest(),
      };
    }
    const issued = issueCertificate({ commonName: names[0] ?? 'localhost', names, issuer: ca, notAfter: Date.now() + 397 * DAY_MS });
    writeFileAtomic(paths.key, issued.key, 0o600);
    writeFileAtomic(paths.cert, issued.cert, 0o644);
    if (action === 'reused') action = 'renewed';
  }
  return { ...paths, action };
}
