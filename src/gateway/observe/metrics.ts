/**
 * Prometheus metrics of one running gateway (one registry per gateway, so tests can run several).
 * Label children are resolved once per (frontend, backend) target and cached per status code, so the
 * request path does no label hashing.
 */
import { Counter, Gauge, Histogram, Registry, type Counter as CounterType } from 'prom-client';

export interface ServerSnapshot {
  readonly backend: string;
  readonly server: string;
  readonly up: boolean;
  readonly inflight: number;
}

/** Per (frontend, backend) metric children. */
export class TargetMetrics {
  private readonly latency: ReturnType<Histogram<'frontend' | 'backend'>['labels']>;
  private readonly requests: CounterType<'frontend' | 'backend' | 'status'>;
  private readonly byStatus: Array<ReturnType<CounterType<'frontend' | 'backend' | 'status'>['labels']> | undefined> = [];
  private readonly frontend: string;
  private readonly backend: string;

  constructor(metrics: GatewayMetrics, frontend: string, backend: string) {
    this.latency = metrics.duration.labels(frontend, backend);
    this.requests = metrics.requests;
    this.frontend = frontend;
    this.backend = backend;
  }

  record(status: number, seconds: number): void {
    let counter = this.byStatus[status];
    if (counter === undefined) {
      counter = this.requests.labels(this.frontend, this.backend, String(status));
      this.byStatus[status] = counter;
    }
    counter.inc();
    this.latency.observe(seconds);
  }
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'frontend' | 'backend' | 'status'>;
  readonly duration: Histogram<'frontend' | 'backend'>;
  readonly connections: Gauge<'frontend'>;
  readonly authDenied: Counter<'frontend' | 'policy' | 'reason'>;
  readonly upstreamErrors: Counter<'backend' | 'server' | 'reason'>;
  readonly retries: Counter<'backend'>;
  readonly reloads: Counter<'result'>;
  private servers: () => readonly ServerSnapshot[] = () => [];
  private readonly targets = new Map<string, TargetMetrics>();

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'gatehouse_http_requests_total', help: 'HTTP requests answered, by frontend, backend and status', labelNames: ['frontend', 'backend', 'status'], registers });
    this.duration = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'Time from request headers to the end of the response',
      labelNames: ['frontend', 'backend'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.connections = new Gauge({ name: 'gatehouse_open_connections', help: 'Open client connections, by frontend', labelNames: ['frontend'], registers });
    this.authDenied = new Counter({ name: 'gatehouse_auth_denied_total', help: 'Requests denied by an auth policy, by reason', labelNames: ['frontend', 'policy', 'reason'], registers });
    this.upstreamErrors = new Counter({ name: 'gatehouse_upstream_errors_total', help: 'Upstream connection failures and timeouts', labelNames: ['backend', 'server', 'reason'], registers });
    this.retries = new Counter({ name: 'gatehouse_retries_total', help: 'Requests retried on another server', labelNames: ['backend'], registers });
    this.reloads = new Counter({ name: 'gatehouse_config_reloads_total', help: 'Config reloads, by result', labelNames: ['result'], registers });
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

  /** The gateway tells the metrics where the current servers are (it changes on reload). */
  setServerSource(source: () => readonly ServerSnapshot[]): void {
    this.servers = source;
  }

  target(frontend: string, backend: string): TargetMetrics {
    const key = `${frontend}\u0000${backend}`;
    let target = this.targets.get(key);
    if (target === undefined) {
      target = new TargetMetrics(this, frontend, backend);
      this.targets.set(key, target);
    }
    return target;
  }
}
