/**
 * Self-signed X.509 certificates for generated and imported key pairs, as FusionAuth makes them: the
 * certificate's SHA-1 thumbprint becomes the key's `kid` (x5t). Built by the shared certificate builder
 * (src/shared/x509), which signs with node:crypto.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { buildCertificate, isCertificateSignature } from '../../shared/x509/index.js';
import type { KeyAlgorithm } from '../model/types.js';

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export interface SelfSignedOptions {
  algorithm: KeyAlgorithm;
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** The certificate's issuer and subject common name (FusionAuth: the key's issuer). */
  issuer: string;
  now?: number;
}

/** Returns the DER of a self-signed certificate valid for ten years, without extensions. */
export function createSelfSignedCertificate(options: SelfSignedOptions): Buffer {
  if (!isCertificateSignature(options.algorithm)) throw new Error(`no certificate signature for ${options.algorithm}`);
  const now = options.now ?? Date.now();
  return buildCertificate({
    signature: options.algorithm,
    signingKey: options.privateKey,
    publicKey: options.publicKey,
    issuer: options.issuer,
    subject: options.issuer,
    notBefore: new Date(Math.floor(now / 1000) * 1000),
    notAfter: new Date(now + TEN_YEARS_MS),
  });
}

/** kid = x5t = base64url (no padding) of SHA-1 over the certificate DER (27 characters). */
export function x5t(der: Buffer): string {
  return createHash('sha1').update(der).digest('base64url');
}

export function x5tS256(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

/** FusionAuth's `certificateInformation` for a certificate. */
export function certificateInformation(der: Buffer): Record<string, unknown> {
  const cert = new X509Certificate(der);
  return {
    issuer: cert.issuer,
    md5Fingerprint: createHash('md5').update(der).digest('hex'),
    serialNumber: BigInt(`0x${cert.serialNumber}`).toString(),
    sha1Fingerprint: createHash('sha1').update(der).digest('hex'),
    sha1Thumbprint: x5t(der),
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
    sha256Thumbprint: x5tS256(der),
    subject: cert.subject,
    validFrom: Date.parse(cert.validFrom),
    validTo: Date.parse(cert.validTo),
  };
}
