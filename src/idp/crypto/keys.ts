/**
 * Key Master material: generating and importing keys, and deriving `kid` as FusionAuth does —
 *  - an explicit `kid` wins;
 *  - an asymmetric key with a private key but no certificate gets a self-signed certificate;
 *  - with a certificate, kid = x5t = base64url(SHA-1(DER certificate)), 27 characters;
 *  - a public key alone: the RFC 7638 JWK SHA-256 thumbprint, 43 characters;
 *  - HMAC: 24 random bytes, base64url, 32 characters.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ApiErrors, fieldError } from '../model/errors.js';
import type { Key, KeyAlgorithm, KeyType } from '../model/types.js';
import { derToPem, pemToDer } from '../../shared/x509/index.js';
import { certificateInformation, createSelfSignedCertificate, x5t } from './certificate.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'HS256', 'HS384', 'HS512', 'Ed25519'];
const EC_CURVES: Record<string, { curve: string; length: number }> = {
  ES256: { curve: 'prime256v1', length: 256 },
  ES384: { curve: 'secp384r1', length: 384 },
  ES512: { curve: 'secp521r1', length: 521 },
};
const HMAC_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };
const RSA_LENGTHS = [2048, 3072, 4096];

export function keyTypeOf(algorithm: KeyAlgorithm): KeyType {
  if (algorithm.startsWith('RS')) return 'RSA';
  if (algorithm.startsWith('ES')) return 'EC';
  if (algorithm.startsWith('HS')) return 'HMAC';
  return 'OKP';
}

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === 'string' && (KEY_ALGORITHMS as readonly string[]).includes(value);
}

/** RFC 7638 thumbprint of a public key. */
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const members = jwk.kty === 'RSA' ? ['e', 'kty', 'n'] : jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x'];
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

export interface KeyIdentity {
  id: string;
  name: string;
  now: number;
}

export interface GenerateRequest {
  algorithm: KeyAlgorithm;
  length?: number;
  /** Certificate issuer; FusionAuth defaults it to the default tenant's issuer. */
  issuer: string;
  kid?: string;
}

/** Validates the generate request's `length` for its algorithm; throws a ValidationError. */
export function checkGenerateLength(algorithm: KeyAlgorithm, length: unknown): number | undefined {
  if (keyTypeOf(algorithm) !== 'RSA') return undefined;
  if (length === undefined || length === null) fieldError('key.length', 'blank', 'You must specify the [key.length] property for an RSA key.');
  if (typeof length !== 'number' || !RSA_LENGTHS.includes(length)) {
    fieldError('key.length', 'invalid', 'The [key.length] property must be 2048, 3072 or 4096 for an RSA key.');
  }
  return length as number;
}

function asymmetricKey(identity: KeyIdentity, algorithm: KeyAlgorithm, publicKey: KeyObject, privateKey: KeyObject | undefined, certDer: Buffer | undefined, kid: string | undefined, issuer: string | undefined): Key {
  const key: Key = {
    id: identity.id,
    name: identity.name,
    algorithm,
    type: keyTypeOf(algorithm),
    kid: kid ?? (certDer !== undefined ? x5t(certDer) : jwkThumbprint(publicKey)),
    hasPrivateKey: privateKey !== undefined,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    insertInstant: identity.now,
    lastUpdateInstant: identity.now,
  };
  const length = keyLength(publicKey);
  if (length !== undefined) key.length = length;
  if (privateKey !== undefined) key.privateKey = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  if (certDer !== undefined) {
    const info = certificateInformation(certDer);
    key.certificate = derToPem(certDer, 'CERTIFICATE');
    key.certificateInformation = info;
    key.expirationInstant = info.validTo as number;
    key.issuer = issuer ?? (new X509Certificate(certDer).issuer.replace(/^CN=/, ''));
  } else if (issuer !== undefined) {
    key.issuer = issuer;
  }
  return key;
}

function keyLength(publicKey: KeyObject): number | undefined {
  const details = publicKey.asymmetricKeyDetails;
  if (details?.modulusLength !== undefined) return details.modulusLength;
  const curve = details?.namedCurve;
  if (curve !== undefined) return Object.values(EC_CURVES).find((c) => c.curve === curve)?.length;
  return undefined;
}

export async function generateKey(identity: KeyIdentity, request: GenerateRequest): Promise<Key> {
  const { algorithm } = request;
  const type = keyTypeOf(algorithm);
  if (type === 'HMAC') {
    return {
      id: identity.id,
      name: identity.name,
      algorithm,
      type,
      kid: request.kid ?? randomBytes(24).toString('base64url'),
      hasPrivateKey: false,
      secret: randomBytes(HMAC_BYTES[algorithm] ?? 32).toString('base64'),
      insertInstant: identity.now,
      lastUpdateInstant: identity.now,
    };
  }
  const pair =
    type === 'RSA'
      ? await generateKeyPairAsync('rsa', { modulusLength: request.length ?? 2048 })
      : type === 'EC'
        ? await generateKeyPairAsync('ec', { namedCurve: EC_CURVES[algorithm]!.curve })
        : await generateKeyPairAsync('ed25519');
  const cert = createSelfSignedCertificate({ algorithm, publicKey: pair.publicKey, privateKey: pair.privateKey, issuer: request.issuer, now: identity.now });
  return asymmetricKey(identity, algorithm, pair.publicKey, pair.privateKey, cert, request.kid, request.issuer);
}

export interface ImportRequest {
  algorithm?: unknown;
  publicKey?: unknown;
  privateKey?: unknown;
  certificate?: unknown;
  secret?: unknown;
  kid?: string;
  issuer: string;
}

function algorithmFor(publicKey: KeyObject): KeyAlgorithm | undefined {
  const type = publicKey.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'ec') {
    const curve = publicKey.asymmetricKeyDetails?.namedCurve;
    return (Object.entries(EC_CURVES).find(([, c]) => c.curve === curve)?.[0] as KeyAlgorithm | undefined) ?? undefined;
  }
  return undefined;
}

function parseOrFail<T>(field: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch {
    return fieldError(field, 'invalid', `The [${field}] property does not contain a valid ${what}.`);
  }
}

export function importKey(identity: KeyIdentity, request: ImportRequest): Promise<Key> {
  const errors = new ApiErrors();
  const text = (field: string, value: unknown): string | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') errors.invalid(`key.${field}`, `The [key.${field}] property must be a string.`);
    return typeof value === 'string' ? value : undefined;
  };
  const algorithmText = text('algorithm', request.algorithm);
  if (algorithmText !== undefined && !isKeyAlgorithm(algorithmText)) {
    errors.invalid('key.algorithm', `The [key.algorithm] property must be one of ${KEY_ALGORITHMS.join(', ')}.`);
  }
  const secret = text('secret', request.secret);
  const publicPem = text('publicKey', request.publicKey);
  const privatePem = text('privateKey', request.privateKey);
  const certificatePem = text('certificate', request.certificate);
  errors.throwIfAny();
  const algorithm = algorithmText as KeyAlgorithm | undefined;

  if (secret !== undefined || (algorithm !== undefined && keyTypeOf(algorithm) === 'HMAC')) {
    if (secret === undefined) fieldError('key.secret', 'blank', 'You must specify the [key.secret] property for an HMAC key.');
    if (algorithm === undefined || keyTypeOf(algorithm) !== 'HMAC') fieldError('key.algorithm', 'invalid', 'A [key.secret] requires an HMAC [key.algorithm] (HS256, HS384 or HS512).');
    return Promise.resolve({
      id: identity.id,
      name: identity.name,
      algorithm,
      type: 'HMAC',
      kid: request.kid ?? randomBytes(24).toString('base64url'),
      hasPrivateKey: false,
      secret,
      insertInstant: identity.now,
      lastUpdateInstant: identity.now,
    });
  }

  if (publicPem === undefined && privatePem === undefined && certificatePem === undefined) {
    fieldError('key.publicKey', 'blank', 'You must specify the [key.publicKey], [key.privateKey] or [key.certificate] property.');
  }
  const privateKey = privatePem === undefined ? undefined : parseOrFail('key.privateKey', 'PEM encoded private key', () => createPrivateKey(privatePem));
  let certDer = certificatePem === undefined ? undefined : parseOrFail('key.certificate', 'PEM encoded X.509 certificate', () => {
    const der = pemToDer(certificatePem);
    new X509Certificate(der);
    return der;
  });
  const publicKey =
    certDer !== undefined
      ? new X509Certificate(certDer).publicKey
      : publicPem !== undefined
        ? parseOrFail('key.publicKey', 'PEM encoded public key', () => createPublicKey(publicPem))
        : createPublicKey(privateKey!);
  if (privateKey !== undefined && !createPublicKey(privateKey).equals(publicKey)) {
    fieldError('key.privateKey', 'invalid', 'The [key.privateKey] does not match the public key.');
  }
  const inferred = algorithmFor(publicKey);
  if (inferred === undefined) fieldError('key.publicKey', 'invalid', 'The key type is not supported: use RSA, EC (P-256, P-384, P-521) or Ed25519.');
  const chosen = algorithm ?? inferred;
  const compatible = keyTypeOf(chosen) === keyTypeOf(inferred) && (keyTypeOf(chosen) !== 'EC' || chosen === inferred);
  if (!compatible) fieldError('key.algorithm', 'invalid', `The [key.algorithm] ${chosen} does not match the key.`);
  if (certDer === undefined && privateKey !== undefined) {
    certDer = createSelfSignedCertificate({ algorithm: chosen, publicKey, privateKey, issuer: request.issuer, now: identity.now });
  }
  return Promise.resolve(asymmetricKey(identity, chosen, publicKey, privateKey, certDer, request.kid, certificatePem === undefined ? request.issuer : undefined));
}
