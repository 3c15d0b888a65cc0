/**
 * What an OCSP response is about and where to ask for one: the served certificate, its issuer (from the
 * chain in the certificate's PEM file, else HAProxy's `<crt>.issuer` beside it, else `tls.ocsp.issuer`),
 * the responder URL (the certificate's Authority Information Access, or `tls.ocsp.responder`), and the
 * DER OCSPRequest (RFC 6960 §4.1, one CertID by SHA-1, no nonce: a stapled response is shared by every
 * client) that is POSTed to it.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import { CertID, OCSPRequest, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { ErrorCode, GatehouseError } from '../../../shared/errors.js';

export interface OcspTarget {
  /** The served certificate's file (for logs and metrics). */
  readonly file: string;
  readonly leaf: X509Certificate;
  readonly issuer: X509Certificate;
  /** The leaf's serial number as DER INTEGER content bytes. */
  readonly serial: Buffer;
  /** The issuer's subject Name (DER) and subjectPublicKey bits: what a CertID hashes. */
  readonly issuerName: Buffer;
  readonly issuerKey: Buffer;
  /** The responder (http: or https:), if known. */
  readonly url: string | undefined;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text, in order. */
export function pemCertificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

function issued(leaf: X509Certificate, candidate: X509Certificate): boolean {
  return leaf.checkIssued(candidate) && leaf.verify(candidate.publicKey);
}

function issuerFrom(file: string, leaf: X509Certificate): X509Certificate | undefined {
  let candidates: X509Certificate[];
  try {
    candidates = pemCertificates(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new GatehouseError(ErrorCode.TLS_OCSP, `cannot read the OCSP issuer certificate ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return candidates.find((c) => issued(leaf, c));
}

/** The responder URL of the certificate's Authority Information Access extension (`OCSP - URI:…`). */
export function aiaOcspUrl(leaf: X509Certificate): string | undefined {
  const url = /(?:^|\n)OCSP - URI:([^\s,]+)/.exec(leaf.infoAccess ?? '')?.[1];
  return url !== undefined && /^https?:\/\//i.test(url) ? url : undefined;
}

/**
 * The target for a certificate file (PEM: leaf first, then the chain). Throws ERR_TLS_OCSP naming the
 * file when no issuer is found.
 */
export function ocspTarget(certFile: string, certPem: string, options: { issuer?: string | undefined; responder?: string | undefined; baseDir: string }): OcspTarget {
  const [leaf, ...chain] = pemCertificates(certPem);
  if (leaf === undefined) throw new GatehouseError(ErrorCode.TLS_OCSP, `${certFile} holds no PEM certificate`);
  let issuer = chain.find((c) => issued(leaf, c));
  const beside = `${certFile}.issuer`;
  if (issuer === undefined && existsSync(beside)) issuer = issuerFrom(beside, leaf);
  if (issuer === undefined && options.issuer !== undefined) issuer = issuerFrom(resolve(options.baseDir, options.issuer), leaf);
  if (issuer === undefined) {
    throw new GatehouseError(
      ErrorCode.TLS_OCSP,
      `OCSP for ${certFile}: its issuer's certificate was not found (put the chain in the certificate file, the issuer in ${beside}, or set tls.ocsp.issuer)`,
    );
  }
  const parsed = AsnConvert.parse(issuer.raw, Certificate).tbsCertificate;
  return {
    file: certFile,
    leaf,
    issuer,
    serial: Buffer.from(AsnConvert.parse(leaf.raw, Certificate).tbsCertificate.serialNumber),
    issuerName: Buffer.from(AsnConvert.serialize(parsed.subject)),
    issuerKey: Buffer.from(parsed.subjectPublicKeyInfo.subjectPublicKey),
    url: options.responder ?? aiaOcspUrl(leaf),
  };
}

/** Whether the certificate carries the TLS Feature extension (RFC 7633) asking for status_request ("must-staple"). */
export function mustStaple(leaf: X509Certificate): boolean {
  const extensions = AsnConvert.parse(leaf.raw, Certificate).tbsCertificate.extensions ?? [];
  return extensions.some((e) => e.extnID === '1.3.6.1.5.5.7.1.24');
}

/** OIDs of the hashes a CertID may use, and node:crypto's names for them. */
export const CERT_ID_HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The target's issuer name and key hashes with `hash` (a node:crypto digest name). */
export function issuerHashes(target: OcspTarget, hash: string): { name: Buffer; key: Buffer } {
  return { name: createHash(hash).update(target.issuerName).digest(), key: createHash(hash).update(target.issuerKey).digest() };
}

/** The DER OCSPRequest for the target: one CertID (SHA-1, as responders universally accept), no nonce. */
export function ocspRequest(target: OcspTarget): Buffer {
  const hashes = issuerHashes(target, 'sha1');
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
    issuerNameHash: new OctetString(hashes.name),
    issuerKeyHash: new OctetString(hashes.key),
    serialNumber: new Uint8Array(target.serial).buffer,
  });
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) });
  return Buffer.from(AsnConvert.serialize(request));
}
