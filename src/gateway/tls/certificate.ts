/**
 * Reads one certificate (PEM, leaf first, then its chain) and its private key, and checks them before they
 * are served: both files readable, the certificate parses, the key is the certificate's, and the
 * certificate is inside its validity period. Errors name the file and the problem, never the key.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export interface LoadedCertificate {
  /** The certificate file as configured (resolved), for logs, stats and metrics. */
  readonly file: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
  /** DNS names (lower case, `*.x` wildcards kept) the certificate is for: SAN dNSName, else the CN. */
  readonly names: readonly string[];
  readonly subject: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly fingerprint256: string;
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `cannot read ${what} ${file}: ${code}`, { cause: error });
  }
}

/** `DNS:a.example, DNS:*.b.example, IP Address:127.0.0.1` → ['a.example', '*.b.example']. */
export function dnsNames(certificate: X509Certificate): string[] {
  const names: string[] = [];
  for (const part of (certificate.subjectAltName ?? '').split(',')) {
    const entry = part.trim();
    if (entry.startsWith('DNS:')) names.push(entry.slice(4).toLowerCase());
  }
  if (names.length === 0) {
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject)?.[1];
    if (cn !== undefined) names.push(cn.toLowerCase());
  }
  return names;
}

export function loadCertificate(certPath: string, keyPath: string, baseDir: string, now = Date.now()): LoadedCertificate {
  const file = resolve(baseDir, certPath);
  const keyFile = resolve(baseDir, keyPath);
  const cert = read(file, 'certificate');
  const key = read(keyFile, 'private key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `${file} holds no valid PEM certificate`, { cause: error });
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    // the parser's message never contains key material, but keep only its code
    throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `${keyFile} holds no valid unencrypted PEM private key (${(error as { code?: string }).code ?? 'parse error'})`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `the private key ${keyFile} does not belong to the certificate ${file}`);
  }
  const notBefore = Date.parse(certificate.validFrom);
  const notAfter = Date.parse(certificate.validTo);
  if (now > notAfter) {
    throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `the certificate ${file} expired on ${new Date(notAfter).toISOString()}`);
  }
  if (now < notBefore) {
    throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `the certificate ${file} is not valid before ${new Date(notBefore).toISOString()}`);
  }
  return {
    file,
    keyFile,
    cert,
    key,
    names: dnsNames(certificate),
    subject: certificate.subject.replace(/\n/g, ', '),
    notBefore,
    notAfter,
    fingerprint256: certificate.fingerprint256,
  };
}
