/**
 * Trace context stage: with `tracing:`, the upstream head built by the header rules carries the request
 * span's W3C `traceparent` (and `tracestate`) in place of whatever the client sent: the same trace when
 * the client's was valid, a new one otherwise. Without tracing the request has no span and the head is
 * left as it is (the client's trace headers pass through, as any other header).
 */
import type { GatewayRequest } from './gateway-request.js';
import { NEXT, type Step } from './stage.js';

export function traceContext(request: GatewayRequest): Step {
  const span = request.span;
  if (span !== undefined) request.headers = request.runtime.generation.tracing.propagate(span, request.headers);
  return NEXT;
}
