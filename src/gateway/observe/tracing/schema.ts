/**
 * Config of `tracing:` (absent: the gateway does not trace). With the block, every request gets a span
 * and its upstream request a W3C `traceparent` naming that span, and the recorded spans are exported to
 * `endpoint` over OTLP/HTTP (JSON) by each worker.
 */
import { z } from 'zod';
import { durationField } from '../../config/fields.js';
import { GATEWAY_DEFAULTS } from '../../config/defaults.js';

const D = GATEWAY_DEFAULTS.tracing;

const ENDPOINT_MESSAGE = 'expected an http(s) URL like http://collector:4318/v1/traces';

/** The collector's OTLP/HTTP traces URL; credentials belong in OTEL_EXPORTER_OTLP_TRACES_HEADERS, never in the URL. */
const endpoint = z.string({ error: ENDPOINT_MESSAGE }).transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: ENDPOINT_MESSAGE });
    return z.NEVER;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: ENDPOINT_MESSAGE });
    return z.NEVER;
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'no credentials in the URL (they would be logged): give them in OTEL_EXPORTER_OTLP_TRACES_HEADERS' });
    return z.NEVER;
  }
  return url.href;
});

const duration = (min: number, max: number, what: string) => durationField('expected a duration like 500ms, 5s', { min, max, what });

export const tracingSchema = z.strictObject({
  /** Required: where each worker sends its spans. */
  endpoint,
  sample_ratio: z.number({ error: 'expected a number from 0 to 1' }).min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1').default(D.sample_ratio),
  parent_based: z.boolean().default(D.parent_based),
  service_name: z.string().min(1).max(255).default(D.service_name),
  export_interval: duration(10, 3_600_000, 'from 10ms to 1h').default(D.export_interval),
  export_timeout: duration(100, 300_000, 'from 100ms to 5m').default(D.export_timeout),
  max_queue: z.number().int().min(1).max(1_000_000).default(D.max_queue),
});

export type TracingConfig = z.output<typeof tracingSchema>;
