/**
 * What the tracing tests share: a gateway config with `tracing:` pointed at a test receiver, W3C
 * traceparent parsing, plain HTTP/1.1 requests that may repeat a header (node:http sends an array as
 * several fields), and finding a request's exported span by its path.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Echo } from '../../../support/upstream.js';
import type { ReceivedSpan } from './otlp-receiver.js';

/** A client's valid trace context (the W3C specification's example). */
export const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const CLIENT_SPAN_ID = '00f067aa0ba902b7';
export const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`;

/** Trace headers no gateway may pass on: each is invalid by W3C Trace Context, so a new trace starts. */
export const INVALID_TRACEPARENTS: ReadonlyArray<{ readonly why: string; readonly value: string | string[] }> = [
  { why: 'version ff', value: `ff-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01` },
  { why: 'all-zero trace id', value: `00-${'0'.repeat(32)}-${CLIENT_SPAN_ID}-01` },
  { why: 'all-zero parent id', value: `00-${CLIENT_TRACE_ID}-${'0'.repeat(16)}-01` },
  { why: 'upper-case hex', value: `00-${CLIENT_TRACE_ID.toUpperCase()}-${CLIENT_SPAN_ID}-01` },
  { why: 'short trace id', value: `00-${CLIENT_TRACE_ID.slice(2)}-${CLIENT_SPAN_ID}-01` },
  { why: 'version 00 with a fifth field', value: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01-extra` },
  { why: 'not a traceparent at all', value: 'hello' },
  { why: 'two traceparent fields', value: [CLIENT_TRACEPARENT, `00-${'1'.repeat(32)}-${CLIENT_SPAN_ID}-01`] },
];

export interface TraceParent {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

/** Parses a well-formed version-00 traceparent; fails the test otherwise. */
export function parseTraceparent(value: unknown): TraceParent {
  assert.equal(typeof value, 'string', `expected one traceparent, got ${JSON.stringify(value)}`);
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value as string);
  assert.ok(match !== null, `a well-formed traceparent, got ${String(value)}`);
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string];
  assert.notEqual(traceId, '0'.repeat(32));
  assert.notEqual(parentId, '0'.repeat(16));
  return { traceId, parentId, flags };
}

export function tracedConfig(endpoint: string, upstream: string, frontend: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access_log: false,
    tracing: { endpoint, service_name: 'gatehouse-test' },
    timeouts: { drain: '1s' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', ...frontend } },
    backends: { app: { servers: { s1: { address: upstream } } } },
    ...extra,
  };
}

/** GET over a fresh HTTP/1.1 connection; resolves with the status and the body (the upstream's echo when proxied). */
export function get(port: number, path: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: 'app.test', ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The upstream's echo of a proxied GET (fails unless the gateway answered 200). */
export async function echoOf(port: number, path: string, headers: Record<string, string | string[]> = {}): Promise<Echo> {
  const { status, body } = await get(port, path, headers);
  assert.equal(status, 200, `proxied ${path}: ${body}`);
  return JSON.parse(body) as Echo;
}

/** The one exported span of the request to `path`. */
export function spanFor(spans: readonly ReceivedSpan[], path: string): ReceivedSpan {
  const found = spans.filter((s) => s.attributes['url.path'] === path);
  assert.equal(found.length, 1, `one span for ${path}; spans: ${spans.map((s) => s.attributes['url.path']).join(', ')}`);
  return found[0] as ReceivedSpan;
}

/** Calls `close` once; later calls get the same promise (a test closes its gateway to flush spans, and again in t.after). */
export function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
