/**
 * The signature algorithms a certificate can be signed with, named as JWS names them: the X.509 signature
 * algorithm OID, whether its AlgorithmIdentifier carries NULL parameters (RSA yes, ECDSA and Ed25519 no)
 * and the digest node:crypto's `sign` takes (none for Ed25519).
 */
export type CertificateSignature = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'Ed25519';

export interface SignatureAlgorithm {
  readonly oid: string;
  readonly nullParams: boolean;
  readonly hash: string | null;
}

const SIGNATURE_ALGORITHMS: Readonly<Record<CertificateSignature, SignatureAlgorithm>> = {
  RS256: { oid: '1.2.840.113549.1.1.11', nullParams: true, hash: 'sha256' },
  RS384: { oid: '1.2.840.113549.1.1.12', nullParams: true, hash: 'sha384' },
  RS512: { oid: '1.2.840.113549.1.1.13', nullParams: true, hash: 'sha512' },
  ES256: { oid: '1.2.840.10045.4.3.2', nullParams: false, hash: 'sha256' },
  ES384: { oid: '1.2.840.10045.4.3.3', nullParams: false, hash: 'sha384' },
  ES512: { oid: '1.2.840.10045.4.3.4', nullParams: false, hash: 'sha512' },
  Ed25519: { oid: '1.3.101.112', nullParams: false, hash: null },
};

export function isCertificateSignature(name: string): name is CertificateSignature {
  return Object.hasOwn(SIGNATURE_ALGORITHMS, name);
}

export function signatureAlgorithm(name: CertificateSignature): SignatureAlgorithm {
  return SIGNATURE_ALGORITHMS[name];
}
