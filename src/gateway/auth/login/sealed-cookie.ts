/**
 * Sealing of cookie values: AES-256-GCM with a random 96-bit IV, the cookie's name as additional data
 * (a value moved to another cookie does not open), base64url(iv | tag | ciphertext). A list of keys
 * makes rotation possible: the first seals, every key is tried to open. Anything that does not open —
 * tampered, truncated, sealed with a retired key, under another name — is `undefined`, never an error.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CookieSealer {
  constructor(private readonly keys: readonly Buffer[]) {
    if (keys.length === 0 || keys.some((k) => k.length !== 32)) throw new Error('cookie keys must be 32 bytes each');
  }

  seal(name: string, value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0] as Buffer, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(name: string, sealed: string): unknown {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const body = raw.subarray(IV_BYTES + TAG_BYTES);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(name, 'utf8'));
        decipher.setAuthTag(tag);
        const text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
        return JSON.parse(text) as unknown;
      } catch {
        // not this key (or tampered): try the next
      }
    }
    return undefined;
  }
}

/** Parses the configured key list: base64url (or base64) 32-byte keys separated by commas or whitespace. */
export function parseCookieKeys(text: string): Buffer[] | string {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length === 0) return 'no key given';
  const keys: Buffer[] = [];
  for (const [i, part] of parts.entries()) {
    if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(part)) return `key ${i + 1} is not base64url`;
    const key = Buffer.from(part.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
    if (key.length !== 32) return `key ${i + 1} decodes to ${key.length} bytes, not 32`;
    keys.push(key);
  }
  return keys;
}
