/**
 * Strict base64url (RFC 7515 §2): alphabet [A-Za-z0-9_-] only, no padding, no whitespace, and the
 * canonical encoding only — decoding then re-encoding would give back the same text, so unused low bits
 * in the last character are refused (jwt-attacks A6–A9, A11; Wycheproof ModifiedUnusedBits).
 */

const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** 0 for characters outside the alphabet, else the character's 6-bit value + 1. */
const ALPHABET = new Uint8Array(128);
for (let i = 0; i < CHARS.length; i++) ALPHABET[CHARS.charCodeAt(i)] = i + 1;

/** True when every character of `text` between start and end is in the base64url alphabet. */
export function isBase64urlText(text: string, start = 0, end = text.length): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ALPHABET[c] === 0) return false;
  }
  return true;
}

/** Decodes strict canonical base64url, or returns undefined. The empty string decodes to an empty buffer. */
export function decodeBase64url(text: string): Buffer | undefined {
  const rest = text.length % 4;
  if (rest === 1) return undefined;
  if (!isBase64urlText(text)) return undefined;
  // Canonical form: the bits of the last character that encode no byte must be zero (4 bits when the
  // last group has 2 characters, 2 bits when it has 3). Buffer, like most decoders, silently drops them.
  if (rest !== 0) {
    const last = (ALPHABET[text.charCodeAt(text.length - 1)] as number) - 1;
    if ((last & (rest === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return Buffer.from(text, 'base64url');
}
