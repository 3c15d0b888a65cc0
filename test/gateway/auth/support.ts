/**
 * Test helpers for JWT authorization: real key material (node:crypto), tokens signed over exact header
 * and payload bytes (so tests can craft duplicate members, odd encodings, ...), and policies built
 * through the public factory with a frozen clock.
 */
import assert from 'node:assert/strict';
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { authMetricsRegistry, createAuthPolicy, type AuthDecision, type AuthDeny, type AuthPolicy, type AuthPolicyConfigInput, type RouteRequirements } from '../../../src/gateway/auth/index.js';

export const ISSUER = 'https://local.fusionauth.io';
export const AUDIENCE = '85a03867-dccf-4882-adde-1a79aeec50df';
/** The frozen "now" of these tests: 2026-11-28T12:00:00Z. */
export const NOW_S = 1_795_867_200;
export const NOW_MS = NOW_S * 1000;

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

function pair(kp: { privateKey: KeyObject; publicKey: KeyObject }, extra: Record<string, unknown> = {}): KeyPair {
  return { ...kp, publicJwk: { ...(kp.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), ...extra } };
}

let rsaCache: KeyPair | undefined;
export function rsaKey(): KeyPair {
  rsaCache ??= pair(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  return rsaCache;
}
export function newRsaKey(bits = 2048, publicExponent = 65537): KeyPair {
  return pair(generateKeyPairSync('rsa', { modulusLength: bits, publicExponent }));
}
export function ecKey(curve: 'P-256' | 'P-384' | 'P-521' = 'P-256'): KeyPair {
  return pair(generateKeyPairSync('ec', { namedCurve: curve }));
}
export function edKey(): KeyPair {
  return pair(generateKeyPairSync('ed25519'));
}

export const b64u = (data: string | Buffer): string => Buffer.from(data).toString('base64url');
export const json = (value: unknown): string => JSON.stringify(value);

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Signs `headerB64.payloadB64` with the algorithm named by `alg` (the header's alg is whatever the text says). */
export function signInput(alg: string, key: KeyObject | Buffer, input: string): string {
  const data = Buffer.from(input, 'latin1');
  const hash = HASH[alg.slice(2)] ?? 'sha256';
  let sig: Buffer;
  if (alg.startsWith('HS')) sig = createHmac(hash, key as Buffer).update(data).digest();
  else if (alg.startsWith('RS')) sig = sign(hash, data, key as KeyObject);
  else if (alg.startsWith('PS')) sig = sign(hash, data, { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  else if (alg.startsWith('ES')) sig = sign(hash, data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'EdDSA') sig = sign(null, data, key as KeyObject);
  else sig = Buffer.alloc(0);
  return b64u(sig);
}

/** A token over exact JSON texts. `signAs` picks the signing algorithm when it differs from the header's. */
export function rawToken(headerText: string, payloadText: string, key: KeyObject | Buffer, signAs: string): string {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  return `${input}.${signInput(signAs, key, input)}`;
}

export function validClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', exp: NOW_S + 3600, iat: NOW_S - 10, ...extra };
}

/** A token from objects, RS256 with the shared RSA key unless told otherwise. */
export function token(opts: { header?: Record<string, unknown>; claims?: Record<string, unknown>; key?: KeyObject | Buffer; alg?: string } = {}): string {
  const alg = opts.alg ?? 'RS256';
  const header = opts.header ?? { alg, typ: 'JWT' };
  return rawToken(json(header), json(opts.claims ?? validClaims()), opts.key ?? rsaKey().privateKey, alg);
}

export const clock = { now: NOW_MS };
export const frozenNow = (): number => clock.now;

/** A policy over the shared RSA key (inline JWK), standards mode, frozen clock; `config` overrides. */
export function policy(config: Partial<AuthPolicyConfigInput> = {}, name = 'test'): Promise<AuthPolicy> {
  return createAuthPolicy(
    name,
    { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], keys: { jwk: rsaKey().publicJwk }, ...config } as AuthPolicyConfigInput,
    { baseDir: process.cwd(), now: frozenNow },
  );
}

export function request(authorization?: string): { method: string; path: string; headers: Record<string, string> } {
  return { method: 'GET', path: '/', headers: authorization === undefined ? {} : { authorization } };
}

export async function decide(p: AuthPolicy, authorization: string | undefined, route?: RouteRequirements): Promise<AuthDecision> {
  return await p.authorize(request(authorization), route);
}

export async function reasonOf(p: AuthPolicy, tok: string, route?: RouteRequirements): Promise<string> {
  const d = await decide(p, `Bearer ${tok}`, route);
  return d.ok ? 'OK' : d.reason;
}

export function asDeny(d: AuthDecision): AuthDeny {
  if (d.ok) throw new Error('expected a denial');
  return d;
}

/** A token over exact header and payload bytes (for invalid UTF-8, BOMs, ...). */
export function rawTokenBytes(header: Buffer, payload: Buffer, key: KeyObject | Buffer, signAs: string): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${signInput(signAs, key, input)}`;
}

/** The three segments of a compact token. */
export function segments(tok: string): [string, string, string] {
  const [h, p, s] = tok.split('.');
  return [h as string, p as string, s as string];
}

/** The same token with one bit of the signature flipped (still canonical base64url). */
export function flipSignatureBit(tok: string, byte = 0): string {
  const [h, p, s] = segments(tok);
  const sig = Buffer.from(s, 'base64url');
  sig[byte] = (sig[byte] as number) ^ 0x01;
  return `${h}.${p}.${b64u(sig)}`;
}

/** Replaces the signature with the given bytes. */
export function withSignature(tok: string, sig: Buffer): string {
  const [h, p] = segments(tok);
  return `${h}.${p}.${b64u(sig)}`;
}

/** Polls `condition` every 10 ms, for up to 5 s. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

/** The value of one series of an auth metric (0 when absent). */
export async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await authMetricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return value?.value ?? 0;
}

/** The auth policy gateway tests attach as `api`: the test issuer and audience, the shared RSA key. */
export function testPolicyConfig(): { issuer: string; audience: string; keys: { jwk: Record<string, unknown> } } {
  return { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk } };
}
