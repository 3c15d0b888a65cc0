/**
 * What the request path asks of tracing: a span when the request starts, the span's trace context on the
 * upstream request, the span's end with what happened. Without `tracing:` in the config the gateway holds
 * `noTracing`, whose `start` returns undefined: the request carries no span, and the other calls are
 * never made (no allocation, no work per request).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Span } from '@opentelemetry/api';

/** How a request ended, as its span records it (built only for a traced request). */
export interface SpanRecord {
  readonly method: string;
  /** The normalised path, without the query string (as the access log has it). */
  readonly path: string;
  /** `1.1` or `2`. */
  readonly protocol: string;
  readonly scheme: 'http' | 'https';
  readonly status: number;
  readonly bytes: number;
  readonly frontend: string;
  /** `routes[2]`, `default`, `redirect_https` or `-` (refused before routing). */
  readonly route: string;
  readonly backend: string | undefined;
  readonly server: string | undefined;
  readonly client: string;
  /** The route's auth policy (undefined: none, or not routed). */
  readonly authPolicy: string | undefined;
  /** The policy's verdict; undefined when the request did not get that far. */
  readonly auth: 'admitted' | 'denied' | undefined;
  /** With `denied`: the reason code (MISSING, EXP, SIG…: src/gateway/auth/reasons.ts). */
  readonly authReason: string | undefined;
  /** Why the gateway answered itself or the exchange failed (as in the access log). */
  readonly error: string | undefined;
  readonly requestId: string | undefined;
  readonly upgrade: boolean;
}

/** The client request as tracing reads it (its headers are read only when tracing is on). */
export interface TracedRequest {
  readonly headers: IncomingHttpHeaders;
}

export interface Tracing {
  /** The request's span (undefined: this gateway does not trace). */
  start(req: TracedRequest): Span | undefined;
  /** The upstream head with the client's traceparent/tracestate replaced by the span's. */
  propagate(span: Span, headers: readonly string[]): string[];
  end(span: Span, record: SpanRecord): void;
  /** Exports what is still queued, then stops. */
  shutdown(): Promise<void>;
}

/** Tracing off (the default): no span, so nothing else is ever called. */
export const noTracing: Tracing = {
  start: noSpan,
  propagate: (_span, headers) => headers as string[],
  end: () => undefined,
  shutdown: () => Promise.resolve(),
};

function noSpan(_req: TracedRequest): undefined {
  return undefined;
}
