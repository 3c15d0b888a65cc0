/**
 * Strict base64url (RFC 7515 §2): alphabet [A-Za-z0-9_-] only, no padding, no whitespace, and the
 * canonical encoding only — decoding then re-encoding must give back the same text, so unused low bits
 * in the last character are refused (jwt-attacks A6–A9, A11; Wycheproof ModifiedUnusedBits).
 */

const ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') ALPHABET[c.charCodeAt(0)] = 1;

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
  if (text.length % 4 === 1) return undefined;
  if (!isBase64urlText(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Re-encoding catches non-canonical trailing bits, which Buffer (like most decoders) silently drops.
  if (bytes.toString('base64url') !== text) return undefined;
  return bytes;
}
