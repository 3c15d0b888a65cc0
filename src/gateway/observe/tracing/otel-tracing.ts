/**
 * Tracing with the OpenTelemetry SDK, one per config generation (so per worker: each worker exports
 * its own spans). A request's span continues the client's trace when its `traceparent` is valid (W3C
 * Trace Context, read by OpenTelemetry's propagator), and starts a new trace otherwise; the upstream
 * request carries the span's own traceparent (and the client's tracestate, validated), never the
 * client's. Which spans are recorded: `sample_ratio` of new traces, and with `parent_based` the
 * client's sampled flag. Recorded spans are batched and exported over OTLP/HTTP (JSON).
 *
 * No global OpenTelemetry state is registered (no global tracer provider, propagator or context
 * manager): several gateways can run in one process, each with its own provider.
 */
import { ROOT_CONTEXT, SpanKind, trace, type Span, type TextMapGetter, type TextMapSetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Logger } from '../../../shared/logger.js';
import { replaceHeaders } from '../../forward/header-rules.js';
import { endSpan } from './attributes.js';
import { LoggedExporter } from './logged-exporter.js';
import type { TracingConfig } from './schema.js';
import type { SpanRecord, TracedRequest, Tracing } from './tracing.js';

const propagator = new W3CTraceContextPropagator();
/** The client's copies, always removed from the upstream head (an invalid one is never forwarded). */
const TRACE_HEADERS: readonly string[] = propagator.fields();
const NONE: ReadonlyArray<readonly [string, string]> = [];

/**
 * The propagator reads the client's head. A traceparent repeated in separate fields is invalid (W3C Trace
 * Context allows one): the trace starts anew rather than follow the first. Repeated tracestate fields
 * are one list.
 */
const clientHeaders: TextMapGetter<IncomingHttpHeaders> = {
  get(carrier, key) {
    const value = carrier[key];
    if (!Array.isArray(value)) return value;
    return value.length === 1 || key !== 'traceparent' ? value.join(',') : undefined;
  },
  keys: (carrier) => Object.keys(carrier),
};

/** The propagator writes into the flat [name, value, …] upstream head. */
const appendHeader: TextMapSetter<string[]> = {
  set(carrier, key, value) {
    if (value !== '') carrier.push(key, value); // a tracestate with no valid member is left out
  },
};

export class OtelTracing implements Tracing {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  /** The exporter's keep-alive connections to the collector: closed at shutdown (the exporter leaves its own open). */
  private readonly agent: HttpAgent;

  constructor(config: TracingConfig, logger: Logger) {
    this.agent = config.endpoint.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    const agent = this.agent;
    const otlp = new OTLPTraceExporter({ url: config.endpoint, timeoutMillis: config.export_timeout, httpAgentOptions: () => agent });
    const exporter = new LoggedExporter(otlp, config.endpoint, logger);
    const ratio = new TraceIdRatioBasedSampler(config.sample_ratio);
    this.provider = new TracerProvider({
      sampler: config.parent_based ? new ParentBasedSampler({ root: ratio }) : ratio,
      resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.service_name, 'process.pid': process.pid })),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter,
          scheduledDelayMillis: config.export_interval,
          exportTimeoutMillis: config.export_timeout,
          maxQueueSize: config.max_queue,
          maxExportBatchSize: Math.min(512, config.max_queue),
        }),
      ],
    });
    this.tracer = this.provider.getTracer('gatehouse');
  }

  start(req: TracedRequest): Span {
    // an absent or invalid traceparent leaves the root context: the span starts a new trace
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, clientHeaders);
    return this.tracer.startSpan('request', { kind: SpanKind.SERVER }, parent);
  }

  propagate(span: Span, headers: readonly string[]): string[] {
    const out = replaceHeaders(headers, TRACE_HEADERS, NONE);
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), out, appendHeader);
    return out;
  }

  end(span: Span, record: SpanRecord): void {
    endSpan(span, record);
  }

  async shutdown(): Promise<void> {
    try {
      await this.provider.shutdown();
    } finally {
      this.agent.destroy();
    }
  }
}
