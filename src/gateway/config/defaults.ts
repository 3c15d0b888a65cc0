/**
 * Every default of the gateway config, in one place (docs/configuration.md documents each).
 * Durations are milliseconds.
 */
export const GATEWAY_DEFAULTS = {
  workers: 1,
  /** Workers: one listening socket each (SO_REUSEPORT), the kernel spreading connections (HAProxy's default). */
  reuse_port: true,
  timeouts: {
    /** TCP connect to an upstream server; a timeout answers 504, a refusal 502. */
    connect: 5_000,
    /** Upstream response headers, and idle time between upstream body chunks; answers 504. */
    server: 30_000,
    /** Time a request may wait for a free connection when a server's pool is full (HAProxy's `timeout queue`); answers 503. */
    queue: 5_000,
    /** Idle keep-alive time on a client connection before the gateway closes it. */
    client: 30_000,
    /** Time a client has to send the complete request headers; answers 408 and closes. */
    http_request: 10_000,
    /** Idle time on a WebSocket (upgraded) tunnel. */
    tunnel: 3_600_000,
    /** How long SIGTERM waits for in-flight requests before closing what is left. */
    drain: 10_000,
  },
  limits: {
    /** Largest request header block in bytes; larger answers 431. */
    max_header_size: 16_384,
    /** Longest request-target in characters; longer answers 414. */
    max_url_length: 8_192,
    /** Request bodies up to this many bytes are read whole before a server connection is taken. */
    buffer_request_body: 65_536,
    /** Client request headers whose name holds `_` reach upstreams (nginx's `underscores_in_headers`); off: dropped. */
    underscores_in_headers: false,
  },
  access_log: true,
  /** `tracing:` (absent: no tracing). With it: W3C trace context to upstreams, a span per request, OTLP/HTTP export to `endpoint`. */
  tracing: {
    /** Share of new traces (no sampled traceparent from the client) whose spans are recorded and exported. */
    sample_ratio: 1,
    /** Follow the sampled flag of a valid incoming traceparent instead of the ratio. */
    parent_based: true,
    /** The `service.name` resource attribute of every span. */
    service_name: 'gatehouse',
    /** Time between two exports of the spans recorded meanwhile (per worker). */
    export_interval: 5_000,
    /** How long one export may take before it is abandoned (its spans are lost). */
    export_timeout: 10_000,
    /** Spans waiting for export (per worker); beyond it new spans are dropped. */
    max_queue: 2_048,
  },
  trusted_proxies: [] as string[],
  backend: {
    balance: 'roundrobin' as const,
    /** Extra attempts on another server when an idempotent request without a body cannot connect. */
    retries: 1,
    /** Keep-alive connections per upstream server (per worker). */
    max_connections: 256,
    /** Serving backups share the traffic (HAProxy's `option allbackups`) instead of the first one taking it. */
    all_backups: false,
  },
  server: {
    weight: 1,
    /** Used only while no other server of the backend is available. */
    backup: false,
    /** The operator's state at start: ready, drain or maint. */
    state: 'ready' as const,
  },
  check: {
    method: 'GET',
    path: '/',
    expect_status: [200, 399] as [number, number],
    interval: 2_000,
    timeout: 1_000,
    rise: 2,
    fall: 3,
  },
  passive: {
    /** Consecutive connection failures or 5xx answers that take a server out. */
    failures: 3,
    /** How long a server taken out by passive checks stays out. */
    cooldown: 10_000,
    /** Whether 5xx answers count as failures (connection failures always do). */
    on_5xx: true,
  },
} as const;
