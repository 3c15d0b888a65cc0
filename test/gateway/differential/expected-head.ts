/**
 * What the backend should receive for a client request, modulo Gatehouse's documented rewriting
 * (docs/configuration.md "Proxying"): hop-by-hop headers and the ones Connection names removed, Expect
 * answered by the gateway, X-Forwarded-* / Forwarded / X-Request-Id / the forwarded claim header replaced,
 * names with `_` dropped, the body re-framed. Header values are folded as node:http folds them (the first
 * Authorization, Host, Content-Type... wins; Cookie joins with `; `; others with `, `), since that is what
 * the gateway's checks read.
 */
import { headerValues, type ParsedRequest } from './strict-parser.js';

const FIRST_WINS = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after',
  'server', 'user-agent',
]);

/** Never compared: hop-by-hop, framing, and the headers the gateway owns. */
const NOT_COMPARED = new Set([
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'http2-settings', 'content-length',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-request-id', 'x-user-id',
]);

export function folded(headers: ReadonlyArray<readonly [string, string]>, skip: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [n, v] of headers) {
    const name = n.toLowerCase();
    if (NOT_COMPARED.has(name) || skip.has(name) || name.startsWith('proxy-')) continue;
    const had = out.get(name);
    if (had === undefined) out.set(name, v);
    else if (FIRST_WINS.has(name)) continue;
    else out.set(name, `${had}${name === 'cookie' ? '; ' : ', '}${v}`);
  }
  return out;
}

/** Names the client's Connection header lists (they are hop-by-hop too), and names with `_`. */
function clientOnly(req: ParsedRequest): Set<string> {
  const out = new Set<string>();
  for (const value of headerValues(req.headers, 'connection')) for (const t of value.split(',')) out.add(t.trim().toLowerCase());
  for (const [n] of req.headers) if (n.includes('_')) out.add(n.toLowerCase());
  return out;
}

/** The differences between the head the backend got and the one the client sent, as readable lines. */
export function headDifferences(client: ParsedRequest, backend: ParsedRequest): string[] {
  const expected = folded(client.headers, clientOnly(client));
  const actual = folded(backend.headers, new Set());
  const out: string[] = [];
  for (const [name, value] of expected) {
    const got = actual.get(name);
    if (got !== value) out.push(`${name}: client ${JSON.stringify(value.slice(0, 60))}, backend ${got === undefined ? 'missing' : JSON.stringify(got.slice(0, 60))}`);
  }
  // a request without Host (HTTP/1.0) gets one from the gateway
  if (!expected.has('host')) actual.delete('host');
  for (const [name, value] of actual) if (!expected.has(name)) out.push(`${name}: not sent by the client, backend got ${JSON.stringify(value.slice(0, 60))}`);
  if (client.method !== backend.method) out.push(`method: client ${client.method}, backend ${backend.method}`);
  if (!client.body.equals(backend.body)) out.push(`body: client ${client.body.length} bytes, backend ${backend.body.length} bytes`);
  return out;
}
