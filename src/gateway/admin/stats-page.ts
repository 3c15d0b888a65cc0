/**
 * The HTML stats page, in the spirit of HAProxy's: every frontend with its bind and routes, every
 * backend with each server's state, weight, requests in flight and last state change. Every value is
 * HTML-escaped (server and route names come from config, reasons from the network).
 */
import { escapeHtml } from '../../shared/html.js';
export interface StatsServer {
  readonly name: string;
  readonly address: string;
  readonly weight: number;
  /** A backup server (used only when no other is available). */
  readonly backup?: boolean;
  /** The operator's state: ready, drain or maint. */
  readonly admin?: string;
  readonly up: boolean;
  readonly inflight: number;
  readonly requests: number;
  readonly failures: number;
  readonly lastChange: number;
  readonly lastReason: string;
  readonly checked: boolean;
  /** In cluster mode: how many workers see it up, of how many. */
  readonly upIn?: readonly [number, number];
}

export interface StatsBackend {
  readonly name: string;
  readonly balance: string;
  readonly servers: readonly StatsServer[];
}

export interface StatsFrontend {
  readonly name: string;
  readonly bind: string;
  readonly defaultBackend: string | undefined;
  readonly routes: readonly string[];
  /** TLS frontends: `TLS, h2 + http/1.1` and each certificate's expiry. */
  readonly tls?: string | undefined;
  readonly certificates?: readonly StatsCertificate[];
}

export interface StatsCertificate {
  readonly file: string;
  readonly names: readonly string[];
  readonly notAfter: number;
  /** OCSP stapling: `off`, `stapled until …`, `not stapled`. */
  readonly ocsp?: string | undefined;
}

export interface StatsSnapshot {
  readonly generatedAt: number;
  readonly pid: number;
  readonly workers: number;
  readonly frontends: readonly StatsFrontend[];
  readonly backends: readonly StatsBackend[];
}

export { escapeHtml };

function serverRow(s: StatsServer): string {
  const state = s.admin === 'drain' || s.admin === 'maint' ? s.admin.toUpperCase() : s.up ? 'UP' : 'DOWN';
  const seen = s.upIn === undefined ? '' : ` (${s.upIn[0]}/${s.upIn[1]} workers)`;
  return `<tr class="${s.up ? 'up' : 'down'}"><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.address)}</td><td>${escapeHtml(state + seen)}</td>` +
    `<td>${escapeHtml(s.weight)}${s.backup === true ? ' (backup)' : ''}</td><td>${escapeHtml(s.inflight)}</td><td>${escapeHtml(s.requests)}</td><td>${escapeHtml(s.failures)}</td><td>${escapeHtml(s.checked ? 'active+passive' : 'passive')}</td>` +
    `<td>${escapeHtml(new Date(s.lastChange).toISOString())}</td><td>${escapeHtml(s.lastReason)}</td></tr>`;
}

export function renderStatsPage(snapshot: StatsSnapshot): string {
  const frontends = snapshot.frontends
    .map((f) => `<tr><td>${escapeHtml(f.name)}</td><td>${escapeHtml(f.bind)}${f.tls === undefined ? '' : ` (${escapeHtml(f.tls)})`}</td><td>${escapeHtml(f.defaultBackend ?? '-')}</td><td>${f.routes.map(escapeHtml).join('<br>') || '-'}</td></tr>`)
    .join('');
  const certificates = snapshot.frontends
    .flatMap((f) => (f.certificates ?? []).map((c) => ({ frontend: f.name, ...c })))
    .map((c) => {
      const days = Math.floor((c.notAfter - snapshot.generatedAt) / 86_400_000);
      return `<tr class="${days < 14 ? 'down' : 'up'}"><td>${escapeHtml(c.frontend)}</td><td>${escapeHtml(c.names.join(', '))}</td><td>${escapeHtml(c.file)}</td>` +
        `<td>${escapeHtml(new Date(c.notAfter).toISOString())}</td><td>${escapeHtml(days)}</td><td>${escapeHtml(c.ocsp ?? 'off')}</td></tr>`;
    })
    .join('');
  const backends = snapshot.backends
    .map((b) => {
      const up = b.servers.filter((s) => s.up).length;
      return `<h3>backend ${escapeHtml(b.name)} <small>(${escapeHtml(b.balance)}, ${up}/${b.servers.length} up)</small></h3>` +
        '<table><tr><th>server</th><th>address</th><th>state</th><th>weight</th><th>in flight</th><th>requests</th><th>failures</th><th>checks</th><th>last change</th><th>reason</th></tr>' +
        b.servers.map(serverRow).join('') + '</table>';
    })
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Gatehouse statistics</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:.2em .6em;text-align:left}
tr.up td{background:#c8f0c8}tr.down td{background:#f5b5b5}th{background:#ddd}</style></head><body>
<h1>Gatehouse statistics</h1><p>pid ${escapeHtml(snapshot.pid)}, ${escapeHtml(snapshot.workers)} worker(s), generated ${escapeHtml(new Date(snapshot.generatedAt).toISOString())}</p>
<h2>Frontends</h2><table><tr><th>frontend</th><th>bind</th><th>default backend</th><th>routes</th></tr>${frontends}</table>
${certificates === '' ? '' : `<h2>Certificates</h2><table><tr><th>frontend</th><th>names</th><th>file</th><th>expires</th><th>days left</th><th>OCSP</th></tr>${certificates}</table>`}
<h2>Backends</h2>${backends}</body></html>`;
}
