/** Builds the stats page's snapshot from the current generation. */
import type { StatsSnapshot } from '../admin/index.js';
import type { Generation } from './generation.js';

export function statsSnapshot(generation: Generation, workers: number): StatsSnapshot {
  const config = generation.config;
  return {
    generatedAt: Date.now(),
    pid: process.pid,
    workers,
    frontends: Object.entries(config.frontends).map(([name, f]) => ({
      name,
      bind: `${f.bind.host}:${f.bind.port}`,
      defaultBackend: f.default_backend,
      routes: f.routes.map((r) => {
        const parts = [
          r.host === undefined ? '' : `host ${[r.host].flat().join('|')}`,
          r.path_prefix === undefined ? '' : `path ${r.path_prefix}`,
          r.methods === undefined ? '' : r.methods.join(','),
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
