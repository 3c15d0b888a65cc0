/**
 * What the echo service saw: one plain object built from the incoming request, rendered later as JSON or
 * as text. Credentials are never echoed in full: an Authorization or Cookie value is shown by its scheme,
 * its first characters and its length, so a screenshot or a log of the echo never leaks a usable token.
 */
import type { IncomingMessage } from 'node:http';

export interface EchoedRequest {
  /** The echo instance's name (`--name`), so a load-balanced demo shows which server answered. */
  readonly server: string;
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly httpVersion: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Every header as received (lower-case names, repeated headers joined as Node joins them). */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers a gateway set from token claims (see `isClaimHeader`). */
  readonly claims: Readonly<Record<string, string>>;
  /** X-Forwarded-* headers a proxy set. */
  readonly forwarded: Readonly<Record<string, string>>;
  readonly body: { readonly bytes: number; readonly text?: string; readonly truncated: boolean };
}

/** Header names a gateway uses to pass token claims upstream. */
const CLAIM_PREFIXES = ['x-jwt-', 'x-claim-', 'x-user-', 'x-auth-', 'x-token-'];
const MASKED = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SHOWN_CHARS = 10;

export function isClaimHeader(name: string): boolean {
  for (let i = 0; i < CLAIM_PREFIXES.length; i++) if (name.startsWith(CLAIM_PREFIXES[i]!)) return true;
  return false;
}

/** `Bearer eyJhbGciOi… (812 characters)`: enough to recognise a value, never enough to reuse it. */
export function maskCredential(value: string): string {
  const space = value.indexOf(' ');
  const scheme = space > 0 && space < 20 ? value.slice(0, space + 1) : '';
  const secret = value.slice(scheme.length);
  if (secret.length === 0) return value;
  const shown = secret.length > SHOWN_CHARS * 2 ? secret.slice(0, SHOWN_CHARS) : '';
  return `${scheme}${shown}… (${secret.length} characters)`;
}

function headerText(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : value;
}

export function describeRequest(
  server: string,
  request: IncomingMessage,
  body: { bytes: number; sample: Buffer; truncated: boolean },
): EchoedRequest {
  const url = request.url ?? '/';
  const parsed = new URL(url, 'http://echo.invalid');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(parsed.searchParams.keys())) {
    const all = parsed.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  const headers: Record<string, string> = {};
  const claims: Record<string, string> = {};
  const forwarded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(request.headers)) {
    const value = headerText(raw);
    headers[name] = MASKED.has(name) ? maskCredential(value) : value;
    if (isClaimHeader(name)) claims[name] = value;
    else if (name.startsWith('x-forwarded-') || name === 'forwarded') forwarded[name] = value;
  }
  const text = body.bytes === 0 ? undefined : decodeText(body.sample);
  return {
    server,
    method: request.method ?? 'GET',
    url,
    path: parsed.pathname,
    query,
    httpVersion: request.httpVersion,
    remoteAddress: request.socket.remoteAddress ?? '',
    remotePort: request.socket.remotePort ?? 0,
    headers,
    claims,
    forwarded,
    body: text === undefined ? { bytes: body.bytes, truncated: body.truncated } : { bytes: body.bytes, text, truncated: body.truncated },
  };
}

/** The body as text when it is valid UTF-8 without control characters other than whitespace. */
function decodeText(sample: Buffer): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}
