export { buildCertificate, type CertificateFields } from './build-certificate.js';
export { isCertificateSignature, type CertificateSignature } from './signature-algorithms.js';
export {
  authorityKeyIdentifier,
  basicConstraints,
  extendedKeyUsage,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
  type ExtendedKeyUsageName,
  type KeyUsageName,
} from './extensions.js';
export { derToPem, pemToDer } from './pem.js';
