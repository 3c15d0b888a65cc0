/**
 * TLS metrics on the gateway's registry: each certificate's expiry (as node_exporter's ssl_cert_not_after,
 * a Unix timestamp, so alerts read `gatehouse_tls_certificate_expiry_timestamp_seconds - time() < 14*86400`)
 * and certificate reload failures. With workers, the cluster keeps the soonest expiry (aggregator min).
 * OCSP stapling: staples served, responder fetches by result, responses refused by reason (`revoked`
 * among them), and the seconds each certificate's stapled response has left (0: nothing stapled).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CertificateInfo } from './certificate-store.js';
import type { OcspObserver } from './ocsp/index.js';

export class TlsMetrics {
  readonly reloadErrors: Counter<'frontend'>;
  private source: () => readonly CertificateInfo[] = () => [];
  /** What the certificate stores count OCSP events with. */
  readonly ocsp: OcspObserver;

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
    const staples = new Counter({
      name: 'gatehouse_tls_ocsp_staples_total',
      help: 'TLS handshakes that were sent a stapled OCSP response (the client asked, a verified response was at hand)',
      labelNames: ['frontend'],
      registers: [registry],
    });
    const fetches = new Counter({
      name: 'gatehouse_tls_ocsp_fetches_total',
      help: 'Requests to OCSP responders (tls.ocsp.mode auto), by result: ok, or failed (unreachable, HTTP error, response refused)',
      labelNames: ['frontend', 'result'],
      registers: [registry],
    });
    const refused = new Counter({
      name: 'gatehouse_tls_ocsp_refused_total',
      help: 'OCSP responses not stapled, by reason (revoked, expired, signature, cert-id, status, unknown, not-yet-valid, not-basic, malformed)',
      labelNames: ['frontend', 'reason'],
      registers: [registry],
    });
    new Gauge({
      name: 'gatehouse_tls_ocsp_response_expiry_seconds',
      help: "Seconds until each certificate's stapled OCSP response expires (nextUpdate); 0 when none is stapled",
      labelNames: ['frontend', 'file'],
      registers: [registry],
      aggregator: 'min',
      collect() {
        this.reset();
        const now = Date.now();
        for (const c of self.source()) {
          const o = c.ocsp;
          if (o === undefined) continue; // tls.ocsp off
          const left = o.stapled && o.nextUpdate !== undefined ? Math.max(0, Math.floor((o.nextUpdate - now) / 1000)) : 0;
          this.labels(c.frontend, c.file).set(left);
        }
      },
    });
    this.ocsp = {
      stapled: (frontend) => staples.labels(frontend).inc(),
      fetched: (frontend, ok) => fetches.labels(frontend, ok ? 'ok' : 'failed').inc(),
      refused: (frontend, reason) => refused.labels(frontend, reason).inc(),
    };
  }

  setSource(source: () => readonly CertificateInfo[]): void {
    this.source = source;
  }
}
