/**
 * Prometheus metrics of one running gateway (one registry per gateway, so tests can run several).
 * Request counts and latency are plain numbers per (frontend, backend) target (./request-metrics.ts);
 * the rarer events (auth denials, upstream errors, retries, reloads) use prom-client counters.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { authMetricsRegistry } from '../auth/index.js';
import { latencySamples, requestSamples, ScrapedMetric, TargetMetrics } from './request-metrics.js';

export interface ServerSnapshot {
  readonly backend: string;
  readonly server: string;
  readonly up: boolean;
  readonly inflight: number;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly connections: Gauge<'frontend'>;
  readonly authDenied: Counter<'frontend' | 'policy' | 'reason'>;
  readonly upstreamErrors: Counter<'backend' | 'server' | 'reason'>;
  readonly retries: Counter<'backend'>;
  readonly reloads: Counter<'result'>;
  readonly rateLimited: Counter<'frontend' | 'limit'>;
  readonly rateLimitStoreErrors: Counter<'limit'>;
  private servers: () => readonly ServerSnapshot[] = () => [];
  private readonly targets = new Map<string, TargetMetrics>();

  constructor() {
    const registers = [this.registry];
    const targets = () => this.targets.values();
    this.registry.registerMetric(
      new ScrapedMetric('gatehouse_http_requests_total', 'HTTP requests answered, by frontend, backend and status', 'counter', () => requestSamples(targets())) as never,
    );
    const latency = 'gatehouse_http_request_duration_seconds';
    this.registry.registerMetric(
      new ScrapedMetric(latency, 'Time from request headers to the end of the response', 'histogram', () => latencySamples(latency, targets())) as never,
    );
    this.connections = new Gauge({ name: 'gatehouse_open_connections', help: 'Open client connections, by frontend', labelNames: ['frontend'], registers });
    this.authDenied = new Counter({ name: 'gatehouse_auth_denied_total', help: 'Requests denied by an auth policy, by reason', labelNames: ['frontend', 'policy', 'reason'], registers });
    this.upstreamErrors = new Counter({ name: 'gatehouse_upstream_errors_total', help: 'Upstream connection failures and timeouts', labelNames: ['backend', 'server', 'reason'], registers });
    this.retries = new Counter({ name: 'gatehouse_retries_total', help: 'Requests retried on another server', labelNames: ['backend'], registers });
    this.reloads = new Counter({ name: 'gatehouse_config_reloads_total', help: 'Config reloads, by result', labelNames: ['result'], registers });
    this.rateLimited = new Counter({ name: 'gatehouse_rate_limited_total', help: 'Requests refused with 429 by a rate limit', labelNames: ['frontend', 'limit'], registers });
    this.rateLimitStoreErrors = new Counter({
      name: 'gatehouse_rate_limit_store_errors_total',
      help: 'Rate limit checks the store (Redis) could not answer in time; on_store_error decided them',
      labelNames: ['limit'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'gatehouse_server_up',
      help: '1 when the server is taking traffic, 0 when health checks took it out',
      labelNames: ['backend', 'server'],
      registers,
      collect() {
        this.reset();
        for (const s of self.servers()) this.labels(s.backend, s.server).set(s.up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'gatehouse_server_requests_in_flight',
      help: 'Requests in flight to each server',
      labelNames: ['backend', 'server'],
      registers,
      collect() {
        this.reset();
        for (const s of self.servers()) this.labels(s.backend, s.server).set(s.inflight);
      },
    });
  }

  /** The gateway's registries: its own and JWT authorization's (decisions, cache, key fetches). */
  registries(): Registry[] {
    return [this.registry, authMetricsRegistry];
  }

  /** Prometheus text of every registry, for /metrics. */
  async text(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge(this.registries());
    return { contentType: this.registry.contentType, body: await merged.metrics() };
  }

  /** The gateway tells the metrics where the current servers are (it changes on reload). */
  setServerSource(source: () => readonly ServerSnapshot[]): void {
    this.servers = source;
  }

  target(frontend: string, backend: string): TargetMetrics {
    const key = `${frontend}\u0000${backend}`;
    let target = this.targets.get(key);
    if (target === undefined) {
      target = new TargetMetrics(frontend, backend);
      this.targets.set(key, target);
    }
    return target;
  }
}
