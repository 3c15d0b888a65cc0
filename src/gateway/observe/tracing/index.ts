/** Tracing of gateway requests (W3C Trace Context, OpenTelemetry spans, OTLP/HTTP export). */
import type { Logger } from '../../../shared/logger.js';
import type { TracingConfig } from './schema.js';
import { noTracing, type Tracing } from './tracing.js';

export { noTracing, type SpanRecord, type TracedRequest, type Tracing } from './tracing.js';
export { tracingSchema, type TracingConfig } from './schema.js';

/**
 * The config's tracing: `noTracing` without a `tracing:` block. The OpenTelemetry SDK is loaded only
 * then (about 200 ms of module loading that a gateway without tracing, and each of its workers, skips).
 */
export async function createTracing(config: TracingConfig | undefined, logger: Logger): Promise<Tracing> {
  if (config === undefined) return noTracing;
  const { OtelTracing } = await import('./otel-tracing.js');
  return new OtelTracing(config, logger);
}
