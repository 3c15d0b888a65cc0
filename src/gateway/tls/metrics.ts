/**
 * TLS metrics on the gateway's registry: each certificate's expiry (as node_exporter's ssl_cert_not_after,
 * a Unix timestamp, so alerts read `gatehouse_tls_certificate_expiry_timestamp_seconds - time() < 14*86400`)
 * and certificate reload failures. With workers, the cluster keeps the soonest expiry (aggregator min).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CertificateInfo } from './certificate-store.js';

export class TlsMetrics {
  readonly reloadErrors: Counter<'frontend'>;
  private source: () => readonly CertificateInfo[] = () => [];

  constructor(registry: Registry) {
    const self = this;
    new Gauge({
      name: 'gatehouse_tls_certificate_expiry_timestamp_seconds',
      help: 'When each frontend certificate expires (notAfter), as a Unix timestamp',
      labelNames: ['frontend', 'file', 'names'],
      registers: [registry],
      aggregator: 'min',
      collect() {
        this.reset();
        for (const c of self.source()) this.labels(c.frontend, c.file, c.names.join(',')).set(Math.floor(c.notAfter / 1000));
      },
    });
    this.reloadErrors = new Counter({
      name: 'gatehouse_tls_certificate_reload_errors_total',
      help: 'Certificates that failed to reload (the previous one kept serving)',
      labelNames: ['frontend'],
      registers: [registry],
    });
  }

  setSource(source: () => readonly CertificateInfo[]): void {
    this.source = source;
  }
}
