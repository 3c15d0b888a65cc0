/**
 * Recovery codes as FusionAuth shapes them: 10 single-use codes `XXXXX-XXXXX` (uppercase letters and
 * digits, about 51 bits each). Only `SHA-256(userId:code)` is stored, so a database dump does not reveal
 * them; they are shown once, when generated. Input is compared without case, spaces or the dash.
 */
import { randomInt } from 'node:crypto';
import { sha256Hex } from '../../crypto/secrets.js';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function generateRecoveryCodes(): string[] {
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
    let code = '';
    for (let j = 0; j < 10; j++) code += ALPHABET[randomInt(ALPHABET.length)];
    codes.push(`${code.slice(0, 5)}-${code.slice(5)}`);
  }
  return codes;
}

/** The normalised code (10 characters) when `input` looks like a recovery code; else undefined. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const clean = input.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z0-9]{10}$/.test(clean) ? clean : undefined;
}

export function hashRecoveryCode(userId: string, code: string): string {
  return sha256Hex(`${userId}:${normalizeRecoveryCode(code) ?? code}`);
}
