/**
 * TOTP (RFC 6238) exactly as FusionAuth does it: HMAC-SHA1, 6 digits, 30 s steps, counter =
 * floor(unixMillis / 30000). A FusionAuth secret is a 20-character string whose UTF-8 bytes are the key
 * (not its base64 decoding); `secretBase32Encoded` is the Base32 of those bytes, what an authenticator app
 * is given. Codes of the previous and next step are accepted too (clock drift); the caller refuses a step
 * at or below the last one accepted, so a code is never accepted twice.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TIME_STEP_SECONDS = 30;
export const CODE_LENGTH = 6;
const DRIFT_STEPS = 1;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** FusionAuth's `generateBase64EncodedSecret`: 20 random bytes, base64, characters 1..20. */
export function generateSecret(): string {
  return randomBytes(20).toString('base64').slice(1, 21);
}

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Base32 (RFC 4648, case-insensitive, padding and spaces ignored); undefined when not Base32. */
export function base32Decode(text: string): Buffer | undefined {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  if (clean === '' || !/^[A-Z2-7]+$/.test(clean)) return undefined;
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    value = (value << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function codeAt(key: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** CODE_LENGTH).padStart(CODE_LENGTH, '0');
}

export function stepAt(nowMs: number): number {
  return Math.floor(nowMs / (TIME_STEP_SECONDS * 1000));
}

/** The step whose code `code` is (current step ± drift), above `lastUsedStep`; undefined when none. */
export function matchingStep(key: Buffer, code: string, nowMs: number, lastUsedStep = -1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const current = stepAt(nowMs);
  let found: number | undefined;
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    // every candidate is computed and compared, so the timing says nothing about which one matched
    const match = timingSafeEqual(Buffer.from(codeAt(key, step)), Buffer.from(code));
    if (match && step > lastUsedStep && found === undefined) found = step;
  }
  return found;
}

/** An `otpauth://` URI for authenticator apps (Key Uri Format). */
export function otpauthUri(issuer: string, account: string, key: Buffer): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({ secret: base32Encode(key), issuer, algorithm: 'SHA1', digits: String(CODE_LENGTH), period: String(TIME_STEP_SECONDS) });
  return `otpauth://totp/${label}?${params.toString()}`;
}
