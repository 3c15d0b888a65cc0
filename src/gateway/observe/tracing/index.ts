/** Tracing of gateway requests (W3C Trace Context, OpenTelemetry spans, OTLP/HTTP export). */
import type { Logger } from '../../../shared/logger.js';
import { OtelTracing } from './otel-tracing.js';
import type { TracingConfig } from './schema.js';
import { noTracing, type Tracing } from './tracing.js';

export { noTracing, type SpanRecord, type Tracing } from './tracing.js';
export { tracingSchema, type TracingConfig } from './schema.js';
export { GATEHOUSE_ATTRIBUTES } from './attributes.js';

/** The config's tracing: `noTracing` without a `tracing:` block. */
export function createTracing(config: TracingConfig | undefined, logger: Logger): Tracing {
  return config === undefined ? noTracing : new OtelTracing(config, logger);
}
