/**
 * What a hashing backend hashes: `source` the client's address (the TCP peer, as HAProxy's `src`),
 * `uri` the normalised path without the query, `hdr(name)` the value of a header of the request as it
 * goes upstream — after the auth policy has set its claim headers, so `hdr(x-user-id)` with
 * `forward_claims: { sub: x-user-id }` keeps each user on one server. Undefined (no such header): the
 * request is balanced by round robin.
 */
import { TOKEN_CHARS } from '../../shared/http-token.js';
import { headerValue } from '../../shared/header-list.js';

export type HashOn = { readonly kind: 'source' } | { readonly kind: 'uri' } | { readonly kind: 'hdr'; readonly name: string };

const HDR = new RegExp(`^hdr\\(([${TOKEN_CHARS}]+)\\)$`);

/** The balance setting's hash source, or undefined for roundrobin, leastconn and random. */
export function hashOn(balance: string): HashOn | undefined {
  if (balance === 'source') return { kind: 'source' };
  if (balance === 'uri') return { kind: 'uri' };
  const hdr = HDR.exec(balance);
  return hdr === null ? undefined : { kind: 'hdr', name: (hdr[1] as string).toLowerCase() };
}

export function isHashBalance(balance: string): boolean {
  return hashOn(balance) !== undefined;
}

/** The key of one request. `headers` is the upstream request's flat [name, value, ...] list; the first value counts. */
export function hashKey(on: HashOn, client: string, path: string, headers: readonly string[]): string | undefined {
  if (on.kind === 'source') return client;
  if (on.kind === 'uri') return path;
  const value = headerValue(headers, on.name);
  return value === '' ? undefined : value;
}
