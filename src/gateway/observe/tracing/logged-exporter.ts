/**
 * The OTLP exporter with its failures in the gateway's log: the SDK reports a failed export only to
 * OpenTelemetry's own diagnostic logger, which is silent unless set up, so an unreachable collector
 * would lose every span without a word. One warning per failed batch (at most one per export interval).
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from '../../../shared/logger.js';
import { ErrorCode } from '../../../shared/errors.js';

export class LoggedExporter implements SpanExporter {
  constructor(
    private readonly exporter: SpanExporter,
    private readonly endpoint: string,
    private readonly logger: Logger,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) {
        const message = String(result.error?.message ?? 'export failed').slice(0, 300);
        this.logger.warn({ code: ErrorCode.TRACE_EXPORT, endpoint: this.endpoint, spans: spans.length, err: { message } }, `tracing: ${spans.length} spans could not be exported to ${this.endpoint}`);
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }
}
