/**
 * Request counters and the latency histogram, kept as plain numbers on the request path (prom-client's
 * labelled children hash their labels on every call) and turned into Prometheus samples only when
 * scraped. Registered as custom prom-client metrics, so the cluster aggregator sums them too.
 */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Per (frontend, backend) numbers; `record` is the only call on the request path. */
export class TargetMetrics {
  readonly frontend: string;
  readonly backend: string;
  /** statusCounts[status] = requests answered with that status. */
  readonly statusCounts: number[] = [];
  /** bucketCounts[i] = observations in (bucket[i-1], bucket[i]]; the last slot is +Inf. */
  readonly bucketCounts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;

  constructor(frontend: string, backend: string) {
    this.frontend = frontend;
    this.backend = backend;
  }

  record(status: number, seconds: number): void {
    this.statusCounts[status] = (this.statusCounts[status] ?? 0) + 1;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[i] as number)) i++;
    this.bucketCounts[i] = (this.bucketCounts[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A prom-client compatible metric whose samples are computed at scrape time. */
export class ScrapedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum';
  private readonly samples: () => Sample[];

  constructor(name: string, help: string, type: 'counter' | 'histogram', samples: () => Sample[]) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.samples = samples;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() };
  }

  reset(): void {}
}

export function requestSamples(targets: Iterable<TargetMetrics>): Sample[] {
  const out: Sample[] = [];
  for (const t of targets) {
    t.statusCounts.forEach((count, status) => {
      if (count !== undefined) out.push({ labels: { frontend: t.frontend, backend: t.backend, status: String(status) }, value: count });
    });
  }
  return out;
}

export function latencySamples(name: string, targets: Iterable<TargetMetrics>): Sample[] {
  const out: Sample[] = [];
  for (const t of targets) {
    if (t.count === 0) continue;
    let cumulative = 0;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      cumulative += t.bucketCounts[i] as number;
      out.push({ labels: { le: LATENCY_BUCKETS[i] as number, frontend: t.frontend, backend: t.backend }, value: cumulative, metricName: `${name}_bucket` });
    }
    out.push({ labels: { le: '+Inf', frontend: t.frontend, backend: t.backend }, value: t.count, metricName: `${name}_bucket` });
    out.push({ labels: { frontend: t.frontend, backend: t.backend }, value: t.sum, metricName: `${name}_sum` });
    out.push({ labels: { frontend: t.frontend, backend: t.backend }, value: t.count, metricName: `${name}_count` });
  }
  return out;
}
