/**
 * Routes that answer without a backend: `redirect` (HAProxy's `http-request redirect location|prefix`) and
 * `return` (HAProxy's `http-request return`). A redirect to a `prefix` keeps the request's path and query;
 * a `location` is sent as written; and `stats` (the stats page on a proxying frontend). They answer before authorization.
 */
import type { ClientResponse } from '../http1/index.js';

export type RouteAnswer =
  | { readonly kind: 'redirect'; readonly status: number; readonly location?: string; readonly prefix?: string }
  | { readonly kind: 'return'; readonly status: number; readonly contentType: string; readonly body: string; readonly headers: ReadonlyArray<readonly [string, string]> }
  /** The stats page, rendered per request by the route answers stage (admit/route-answers.ts). */
  | { readonly kind: 'stats'; readonly status: 200 };

export type SentAnswer = Exclude<RouteAnswer, { kind: 'stats' }>;

/** Where a redirect points for a request with this (normalised) path and query. */
export function redirectLocation(answer: Extract<RouteAnswer, { kind: 'redirect' }>, upstreamPath: string): string {
  if (answer.location !== undefined) return answer.location;
  const prefix = answer.prefix as string;
  return (prefix.endsWith('/') ? prefix.slice(0, -1) : prefix) + upstreamPath;
}

/** Writes the answer; returns the body bytes. `close`: the request had a body nobody will read. */
export function sendAnswer(res: ClientResponse, answer: SentAnswer, upstreamPath: string, close: boolean, hsts: string | undefined): number {
  const headers: Record<string, string | number> = { 'cache-control': 'no-store' };
  let body: string;
  if (answer.kind === 'redirect') {
    body = '';
    headers.location = redirectLocation(answer, upstreamPath);
  } else {
    body = answer.body;
    headers['content-type'] = answer.contentType;
    for (const [name, value] of answer.headers) headers[name] = value;
  }
  headers['content-length'] = Buffer.byteLength(body);
  if (close && res.req?.httpVersionMajor !== 2) headers.connection = 'close';
  if (hsts !== undefined) headers['strict-transport-security'] = hsts;
  res.writeHead(answer.status, headers);
  if (res.req?.method === 'HEAD') res.end();
  else res.end(body);
  return Buffer.byteLength(body);
}
