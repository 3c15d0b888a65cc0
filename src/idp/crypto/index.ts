export { DEFAULT_PASSWORD_HASHING, PasswordHasher, type PasswordHashing } from './password.js';
export { KEY_ALGORITHMS, checkGenerateLength, generateKey, importKey, isKeyAlgorithm, jwkThumbprint, keyTypeOf } from './keys.js';
export { certificateInformation, createSelfSignedCertificate, x5t, x5tS256 } from './certificate.js';
export { derToPem, pemToDer } from '../../shared/x509/index.js';
export { JwsSigner, joseAlgorithm } from './jws.js';
export { publicJwk, type PublicJwk } from './jwk.js';
export { constantTimeEqual, randomToken, sha256Hex } from './secrets.js';
