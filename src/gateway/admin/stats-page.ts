/**
 * The HTML stats page, in the spirit of HAProxy's: every frontend with its bind and routes, every
 * backend with each server's state, weight, requests in flight and last state change. Every value is
 * HTML-escaped (server and route names come from config, reasons from the network).
 */
export interface StatsServer {
  readonly name: string;
  readonly address: string;
  readonly weight: number;
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
}

export interface StatsSnapshot {
  readonly generatedAt: number;
  readonly pid: number;
  readonly workers: number;
  readonly frontends: readonly StatsFrontend[];
  readonly backends: readonly StatsBackend[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function serverRow(s: StatsServer): string {
  const state = s.up ? 'UP' : 'DOWN';
  const seen = s.upIn === undefined ? '' : ` (${s.upIn[0]}/${s.upIn[1]} workers)`;
  return `<tr class="${s.up ? 'up' : 'down'}"><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.address)}</td><td>${escapeHtml(state + seen)}</td>` +
    `<td>${escapeHtml(s.weight)}</td><td>${escapeHtml(s.inflight)}</td><td>${escapeHtml(s.requests)}</td><td>${escapeHtml(s.failures)}</td><td>${escapeHtml(s.checked ? 'active+passive' : 'passive')}</td>` +
    `<td>${escapeHtml(new Date(s.lastChange).toISOString())}</td><td>${escapeHtml(s.lastReason)}</td></tr>`;
}

export function renderStatsPage(snapshot: StatsSnapshot): string {
  const frontends = snapshot.frontends
    .map((f) => `<tr><td>${escapeHtml(f.name)}</td><td>${escapeHtml(f.bind)}</td><td>${escapeHtml(f.defaultBackend ?? '-')}</td><td>${f.routes.map(escapeHtml).join('<br>') || '-'}</td></tr>`)
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
<h2>Backends</h2>${backends}</body></html>`;
}
