/**
 * A small certificate authority in JS (no openssl CLI needed): a CA certificate and certificates it signs
 * for given DNS names and IP addresses, ECDSA P-256 / SHA-256, built by the shared certificate builder
 * (src/shared/x509). `gatehouse up --tls` uses it for its local CA and localhost certificate; tests use it
 * for certificates openssl 3.0 cannot easily make (already expired ones).
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  authorityKeyIdentifier,
  basicConstraints,
  buildCertificate,
  derToPem,
  extendedKeyUsage,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
} from '../../shared/x509/index.js';

const DAY_MS = 86_400_000;

export interface IssuedCertificate {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM PKCS#8 private key. */
  readonly key: string;
  readonly privateKey: KeyObject;
  readonly der: Buffer;
  readonly subjectKeyId: Buffer;
}

export interface IssueOptions {
  readonly commonName: string;
  /** DNS names and IP addresses for the subjectAltName (leaf certificates). */
  readonly names?: readonly string[];
  readonly notBefore?: number;
  readonly notAfter?: number;
  /** Signs with this CA; omitted: a self-signed CA certificate. */
  readonly issuer?: IssuedCertificate & { readonly commonName: string };
  /** Leaf certificates: serverAuth (default) and/or clientAuth. */
  readonly usage?: readonly ('server' | 'client')[];
}

function wholeSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export function issueCertificate(options: IssueOptions): IssuedCertificate & { readonly commonName: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subjectKeyId = createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
  const issuer = options.issuer;
  const now = Date.now();
  const extensions = [
    basicConstraints(issuer === undefined ? { pathLength: 0 } : false),
    keyUsage(issuer === undefined ? ['keyCertSign', 'cRLSign', 'digitalSignature'] : ['digitalSignature']),
    subjectKeyIdentifier(subjectKeyId),
  ];
  if (issuer !== undefined) {
    extensions.push(authorityKeyIdentifier(issuer.subjectKeyId));
    extensions.push(extendedKeyUsage(options.usage ?? ['server']));
  }
  if (options.names !== undefined && options.names.length > 0) extensions.push(subjectAltName(options.names));
  const der = buildCertificate({
    signature: 'ES256',
    signingKey: issuer?.privateKey ?? privateKey,
    publicKey,
    issuer: issuer?.commonName ?? options.commonName,
    subject: options.commonName,
    notBefore: wholeSeconds(options.notBefore ?? now - 60_000),
    notAfter: wholeSeconds(options.notAfter ?? now + 365 * DAY_MS),
    extensions,
  });
  return {
    commonName: options.commonName,
    cert: derToPem(der, 'CERTIFICATE'),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    privateKey,
    der,
    subjectKeyId,
  };
}
