/**
 * A request span's name and attributes: OpenTelemetry's HTTP server conventions where one exists
 * (`http.request.method`, `url.path`, `http.response.status_code`, `error.type`…), `gatehouse.*` for
 * the gateway's own facts (frontend, route, backend, server, auth outcome, request ID). Like the access
 * log, never a header value, a query string or a token.
 */
import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { SpanRecord } from './tracing.js';

/** The gateway's own attribute names (documented in docs/configuration.md, "Tracing"). */
export const GATEHOUSE_ATTRIBUTES = {
  frontend: 'gatehouse.frontend',
  route: 'gatehouse.route',
  backend: 'gatehouse.backend',
  server: 'gatehouse.server',
  authPolicy: 'gatehouse.auth.policy',
  auth: 'gatehouse.auth.outcome',
  authReason: 'gatehouse.auth.reason',
  error: 'gatehouse.error',
  requestId: 'gatehouse.request_id',
  upgrade: 'gatehouse.upgrade',
  bytes: 'http.response.body.size',
} as const;

const A = GATEHOUSE_ATTRIBUTES;

/** `GET routes[1]`: the method and the route (low cardinality, unlike the path); `GET` when unrouted. */
export function spanName(record: SpanRecord): string {
  return record.route === '-' ? record.method : `${record.method} ${record.route}`;
}

export function spanAttributes(record: SpanRecord): Attributes {
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: record.method,
    [ATTR_URL_PATH]: record.path,
    [ATTR_URL_SCHEME]: record.scheme,
    [ATTR_NETWORK_PROTOCOL_VERSION]: record.protocol,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: record.status,
    [ATTR_CLIENT_ADDRESS]: record.client,
    [A.bytes]: record.bytes,
    [A.frontend]: record.frontend,
    [A.route]: record.route,
  };
  if (record.backend !== undefined) attributes[A.backend] = record.backend;
  if (record.server !== undefined) attributes[A.server] = record.server;
  if (record.authPolicy !== undefined) attributes[A.authPolicy] = record.authPolicy;
  if (record.auth !== undefined) attributes[A.auth] = record.auth;
  if (record.authReason !== undefined) attributes[A.authReason] = record.authReason;
  if (record.error !== undefined) attributes[A.error] = record.error;
  if (record.requestId !== undefined) attributes[A.requestId] = record.requestId;
  if (record.upgrade) attributes[A.upgrade] = true;
  if (record.status >= 500) attributes[ATTR_ERROR_TYPE] = String(record.status);
  return attributes;
}

/** Names the span, sets its attributes and (for a 5xx, the server side's failure) its error status, and ends it. */
export function endSpan(span: Span, record: SpanRecord): void {
  if (!span.isRecording()) return; // not sampled: nothing to record or export
  span.updateName(spanName(record));
  span.setAttributes(spanAttributes(record));
  if (record.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
