/** Builds the stats page's snapshot from the current generation. */
import type { StatsSnapshot } from '../admin/index.js';
import type { Generation } from './generation.js';
import type { CertificateInfo } from '../tls/certificate-store.js';

export function statsSnapshot(generation: Generation, workers: number, certificates: readonly CertificateInfo[] = []): StatsSnapshot {
  const config = generation.config;
  return {
    generatedAt: Date.now(),
    pid: process.pid,
    workers,
    frontends: Object.entries(config.frontends).map(([name, f]) => ({
      name,
      bind: `${f.bind.host}:${f.bind.port}`,
      defaultBackend: f.default_backend,
      tls: f.tls === undefined ? undefined : (f.tls.http2 ? 'TLS, h2 + http/1.1' : 'TLS, http/1.1') + (f.tls.client_certificates === undefined ? '' : `, client certificates ${f.tls.client_certificates.mode}`),
      certificates: certificates.filter((c) => c.frontend === name).map((c) => ({ file: c.file, names: c.names, notAfter: c.notAfter, ocsp: ocspText(c) })),
      routes: f.routes.map((r) => {
        const parts = [
          r.host === undefined ? '' : `host ${[r.host].flat().join('|')}`,
          r.path_prefix === undefined ? '' : `path ${r.path_prefix}`,
          r.methods === undefined ? '' : r.methods.join(','),
          r.match === undefined ? '' : `if ${r.match.length === 1 ? 'a condition' : `${r.match.length} conditions`}`,
          `→ ${r.backend}`,
        ];
        return parts.filter((p) => p !== '').join(' ');
      }),
    })),
    backends: [...generation.backends.values()].map((b) => ({
      name: b.name,
      balance: config.backends[b.name]?.balance ?? 'roundrobin',
      servers: b.servers.map((s) => ({
        name: s.name,
        address: `${s.host}:${s.port}`,
        weight: s.weight,
        backup: config.backends[b.name]?.servers[s.name]?.backup === true,
        admin: s.adminState,
        up: s.available,
        inflight: s.inflight,
        requests: s.requests,
        failures: s.failures,
        lastChange: s.lastChange,
        lastReason: s.lastReason,
        checked: config.backends[b.name]?.check !== undefined,
      })),
    })),
  };
}

/** The stats page's OCSP cell: `off`, `stapled until <nextUpdate>`, or `not stapled` (none verified and valid). */
function ocspText(c: CertificateInfo): string {
  if (c.ocsp === undefined) return 'off';
  return c.ocsp.stapled && c.ocsp.nextUpdate !== undefined ? `stapled until ${new Date(c.ocsp.nextUpdate).toISOString()}` : 'not stapled';
}
