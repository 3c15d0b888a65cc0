/**
 * What a rate limit counts by: `source` (the client address, through trusted proxies as the access
 * rules read it), `header(<name>)` (an API key, say) or `subject` (the verified JWT's `sub`). A request
 * without the header, or without a subject, is counted by its source address instead, so leaving the
 * header out never escapes the limit.
 */
import { createHash } from 'node:crypto';
import { HTTP_TOKEN } from '../../shared/http-token.js';

export type LimitKey =
  | { readonly kind: 'source' }
  | { readonly kind: 'header'; readonly header: string }
  | { readonly kind: 'subject' };

const HEADER_KEY = /^header\(\s*([^()\s]+)\s*\)$/;

export function parseLimitKey(text: string): LimitKey | undefined {
  if (text === 'source') return { kind: 'source' };
  if (text === 'subject') return { kind: 'subject' };
  const header = HEADER_KEY.exec(text)?.[1];
  if (header !== undefined && HTTP_TOKEN.test(header)) return { kind: 'header', header: header.toLowerCase() };
  return undefined;
}

/** A header value can be a secret (an API key): stores keep 132 bits of its SHA-256, never the value. */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

/** The counted value of a request: `h:` a header value's digest, `s:` a subject's, `a:` an address (never mixed up). */
export function limitKeyValue(key: LimitKey, source: string, header: string | string[] | undefined, subject: string | undefined): string {
  if (key.kind === 'header') {
    const value = Array.isArray(header) ? header[0] : header;
    if (value !== undefined && value !== '') return `h:${digest(value)}`;
  } else if (key.kind === 'subject' && subject !== undefined && subject !== '') return `s:${digest(subject)}`;
  return `a:${source}`;
}
