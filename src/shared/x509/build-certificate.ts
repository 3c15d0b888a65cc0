/**
 * Builds and signs an X.509 v3 certificate: a TBSCertificate from @peculiar/asn1-x509's ASN.1 schemas,
 * signed with node:crypto (which can parse certificates but not create them). The caller decides every
 * field; nothing here rounds a time or adds an extension.
 */
import { sign, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extensions, SubjectPublicKeyInfo, TBSCertificate, Validity, Version, type Extension } from '@peculiar/asn1-x509';
import { commonName } from './names.js';
import { randomSerialNumber, toArrayBuffer } from './der.js';
import { signatureAlgorithm, type CertificateSignature } from './signature-algorithms.js';

export interface CertificateFields {
  /** How the issuer's key signs (RSA, ECDSA or Ed25519, named as JWS does). */
  readonly signature: CertificateSignature;
  /** The issuer's private key; the subject's own for a self-signed certificate. */
  readonly signingKey: KeyObject;
  /** The subject's public key. */
  readonly publicKey: KeyObject;
  /** Common names: the issuer's and the subject's (the same for a self-signed certificate). */
  readonly issuer: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Default: 16 random bytes (positive, no leading zero byte). */
  readonly serialNumber?: Uint8Array;
  /** Omitted: a certificate without an extensions field. */
  readonly extensions?: readonly Extension[];
}

/** Returns the certificate's DER. */
export function buildCertificate(fields: CertificateFields): Buffer {
  const signature = signatureAlgorithm(fields.signature);
  const algorithm = new AlgorithmIdentifier({ algorithm: signature.oid, ...(signature.nullParams ? { parameters: null } : {}) });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(fields.serialNumber ?? randomSerialNumber()),
    signature: algorithm,
    issuer: commonName(fields.issuer),
    validity: new Validity({ notBefore: fields.notBefore, notAfter: fields.notAfter }),
    subject: commonName(fields.subject),
    subjectPublicKeyInfo: AsnConvert.parse(fields.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    ...(fields.extensions !== undefined ? { extensions: new Extensions([...fields.extensions]) } : {}),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signatureValue = sign(signature.hash, tbsDer, fields.signingKey);
  const certificate = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: toArrayBuffer(signatureValue) });
  return Buffer.from(AsnConvert.serialize(certificate));
}
