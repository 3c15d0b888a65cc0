/**
 * Keys given in the config: PEM public key or certificate files (re-read on every policy build, so a
 * reload picks up a rotated file), inline JWK / JWK Set, and an HMAC secret from the environment or a
 * file. Every problem fails the build with the key path; no message ever contains key material.
 */
import { readFile } from 'node:fs/promises';
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode, GatehouseError } from '../../../shared/errors.js';
import { ALGORITHM_SPECS, type VerificationKey } from '../algorithms.js';
import type { Algorithm, AuthPolicyConfig } from '../config.js';
import { keyFromJwk } from './jwk.js';
import { algorithmsFor, classifyPublicKey } from './key-safety.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

function unsafe(path: string, message: string): GatehouseError {
  return new GatehouseError(ErrorCode.KEY_UNSAFE, `${path}: ${message}`);
}

/** Reads the PEM files of `keys.file`; every block must be a public key or a certificate. */
export async function loadPemFiles(files: readonly string[], baseDir: string, algorithms: readonly Algorithm[], path: string): Promise<VerificationKey[]> {
  const out: VerificationKey[] = [];
  for (let i = 0; i < files.length; i++) {
    const at = files.length === 1 ? path : `${path}[${i}]`;
    const file = isAbsolute(files[i] as string) ? (files[i] as string) : resolve(baseDir, files[i] as string);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new GatehouseError(ErrorCode.CONFIG_READ, `${at}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const blocks = text.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) throw unsafe(at, `${file} holds no PEM block (expected "PUBLIC KEY" or "CERTIFICATE")`);
    for (const block of blocks) {
      const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(block)?.[1] ?? '';
      if (label.includes('PRIVATE')) throw unsafe(at, `${file} holds a private key; give the public key or certificate only`);
      let key: KeyObject;
      try {
        key = label === 'CERTIFICATE' ? new X509Certificate(block).publicKey : createPublicKey({ key: block, format: 'pem' });
      } catch {
        throw unsafe(at, `${file}: a "${label}" block is not a valid public key or certificate`);
      }
      if (label !== 'CERTIFICATE' && label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY') throw unsafe(at, `${file}: unexpected PEM block "${label}"`);
      const safe = classifyPublicKey(key);
      if ('problem' in safe) throw unsafe(at, `${file}: ${safe.problem}`);
      const algs = algorithmsFor(safe.family, algorithms);
      if (algs.size === 0) throw unsafe(at, `${file}: a ${safe.family} key cannot verify any of ${algorithms.join(', ')}`);
      out.push(Object.freeze({ kid: undefined, family: safe.family, algorithms: algs, key, signatureBytes: safe.signatureBytes, origin: file }));
    }
  }
  return out;
}

/** Inline `keys.jwk` / `keys.jwks: { keys: [...] }`: any refused or unusable key is a config error. */
export function loadInlineJwks(jwks: readonly Record<string, unknown>[], algorithms: readonly Algorithm[], path: string): VerificationKey[] {
  const out: VerificationKey[] = [];
  const kids = new Set<string>();
  jwks.forEach((jwk, i) => {
    const at = `${path}[${i}]`;
    const result = keyFromJwk(jwk, algorithms, 'inline JWK');
    if ('refused' in result) throw unsafe(at, result.refused);
    if ('ignored' in result) throw unsafe(at, `unusable: ${result.ignored}`);
    const kid = result.key.kid;
    if (kid !== undefined) {
      if (kids.has(kid)) throw unsafe(at, `duplicate kid ${JSON.stringify(kid)}`);
      kids.add(kid);
    }
    out.push(result.key);
  });
  return out;
}

/** `keys.secret` for HS256/384/512: at least as many bytes as the hash output (RFC 7518 §3.2). */
export async function loadSecret(secret: NonNullable<AuthPolicyConfig['keys']['secret']>, baseDir: string, algorithms: readonly Algorithm[], path: string): Promise<VerificationKey> {
  let bytes: Buffer;
  if (secret.env !== undefined) {
    const value = process.env[secret.env];
    if (value === undefined || value === '') throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${path}.env: environment variable ${secret.env} is not set`);
    bytes = Buffer.from(value, 'utf8');
  } else {
    const file = isAbsolute(secret.file as string) ? (secret.file as string) : resolve(baseDir, secret.file as string);
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new GatehouseError(ErrorCode.CONFIG_READ, `${path}.file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (bytes.at(-1) === 0x0a) bytes = bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1);
  }
  const hmacAlgs = algorithms.filter((a) => ALGORITHM_SPECS[a].family === 'oct');
  for (const alg of hmacAlgs) {
    const need = ALGORITHM_SPECS[alg].signatureBytes as number;
    if (bytes.length < need) throw unsafe(path, `the secret has ${bytes.length} bytes; ${alg} needs at least ${need}`);
  }
  return Object.freeze({ kid: undefined, family: 'oct' as const, algorithms: new Set(hmacAlgs), key: bytes, signatureBytes: 0, origin: 'secret' });
}
