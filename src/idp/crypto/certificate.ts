/**
 * Self-signed X.509 certificates for generated and imported key pairs, as FusionAuth makes them: the
 * certificate's SHA-1 thumbprint becomes the key's `kid` (x5t). Built from the ASN.1 schemas of
 * @peculiar/asn1-x509 and signed with node:crypto (which can parse certificates but not create them).
 */
import { createHash, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import type { KeyAlgorithm } from '../model/types.js';

const COMMON_NAME = '2.5.4.3';
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/** Signature algorithm OID (and whether it carries NULL parameters) and digest for each JWS algorithm. */
const SIGNATURE: Partial<Record<KeyAlgorithm, { oid: string; nullParams: boolean; hash: string | null }>> = {
  RS256: { oid: '1.2.840.113549.1.1.11', nullParams: true, hash: 'sha256' },
  RS384: { oid: '1.2.840.113549.1.1.12', nullParams: true, hash: 'sha384' },
  RS512: { oid: '1.2.840.113549.1.1.13', nullParams: true, hash: 'sha512' },
  ES256: { oid: '1.2.840.10045.4.3.2', nullParams: false, hash: 'sha256' },
  ES384: { oid: '1.2.840.10045.4.3.3', nullParams: false, hash: 'sha384' },
  ES512: { oid: '1.2.840.10045.4.3.4', nullParams: false, hash: 'sha512' },
  Ed25519: { oid: '1.3.101.112', nullParams: false, hash: null },
};

function commonName(value: string): Name {
  const attribute = new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ utf8String: value }) });
  return new Name([new RelativeDistinguishedName([attribute])]);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export interface SelfSignedOptions {
  algorithm: KeyAlgorithm;
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** The certificate's issuer and subject common name (FusionAuth: the key's issuer). */
  issuer: string;
  now?: number;
}

/** Returns the DER of a self-signed certificate valid for ten years. */
export function createSelfSignedCertificate(options: SelfSignedOptions): Buffer {
  const signature = SIGNATURE[options.algorithm];
  if (signature === undefined) throw new Error(`no certificate signature for ${options.algorithm}`);
  const algorithm = new AlgorithmIdentifier({ algorithm: signature.oid, ...(signature.nullParams ? { parameters: null } : {}) });
  const now = options.now ?? Date.now();
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  const name = commonName(options.issuer);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(serial),
    signature: algorithm,
    issuer: name,
    validity: new Validity({ notBefore: new Date(Math.floor(now / 1000) * 1000), notAfter: new Date(now + TEN_YEARS_MS) }),
    subject: name,
    subjectPublicKeyInfo: AsnConvert.parse(options.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signatureValue = sign(signature.hash, tbsDer, options.privateKey);
  const certificate = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: toArrayBuffer(signatureValue) });
  return Buffer.from(AsnConvert.serialize(certificate));
}

export function derToPem(der: Buffer, label: 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
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
