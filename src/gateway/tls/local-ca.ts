/**
 * A small certificate authority in JS (no openssl CLI needed): a CA certificate and certificates it signs
 * for given DNS names and IP addresses, ECDSA P-256 / SHA-256, built from @peculiar/asn1-x509's ASN.1
 * schemas and signed with node:crypto. `gatehouse up --tls` uses it for its local CA and localhost
 * certificate; tests use it for certificates openssl 3.0 cannot easily make (already expired ones).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
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

function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function commonName(value: string): Name {
  return new Name([new RelativeDistinguishedName([new AttributeTypeAndValue({ type: '2.5.4.3', value: new AttributeValue({ utf8String: value }) })])]);
}

function extension(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

export function toPem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

export function issueCertificate(options: IssueOptions): IssuedCertificate & { readonly commonName: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const subjectKeyId = createHash('sha1').update(spki).digest();
  const isCa = options.issuer === undefined;
  const now = Date.now();
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  const usageFlags = isCa ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature : KeyUsageFlags.digitalSignature;
  const extensions = [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: isCa, ...(isCa ? { pathLenConstraint: 0 } : {}) })),
    extension(id_ce_keyUsage, true, new KeyUsage(usageFlags)),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(buffer(subjectKeyId))),
  ];
  if (options.issuer !== undefined) {
    extensions.push(extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(buffer(options.issuer.subjectKeyId)) })));
    const usage = options.usage ?? ['server'];
    extensions.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage(usage.map((u) => (u === 'server' ? id_kp_serverAuth : id_kp_clientAuth)))));
  }
  if (options.names !== undefined && options.names.length > 0) {
    const names = options.names.map((n) => (isIP(n) !== 0 ? new GeneralName({ iPAddress: n }) : new GeneralName({ dNSName: n })));
    extensions.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names)));
  }
  const algorithm = new AlgorithmIdentifier({ algorithm: ECDSA_SHA256 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: buffer(serial),
    signature: algorithm,
    issuer: commonName(options.issuer?.commonName ?? options.commonName),
    validity: new Validity({
      notBefore: new Date(Math.floor((options.notBefore ?? now - 60_000) / 1000) * 1000),
      notAfter: new Date(Math.floor((options.notAfter ?? now + 365 * DAY_MS) / 1000) * 1000),
    }),
    subject: commonName(options.commonName),
    subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    extensions: new Extensions(extensions),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, options.issuer?.privateKey ?? privateKey);
  const der = Buffer.from(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: buffer(signature) })));
  return {
    commonName: options.commonName,
    cert: toPem(der, 'CERTIFICATE'),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    privateKey,
    der,
    subjectKeyId,
  };
}
