/**
 * The admin listener, on its own port: `/healthz` (liveness), `/metrics` (Prometheus text) and `/`
 * or `/stats` (HTML stats page). Sources are functions so the same server works in-process and in the
 * cluster primary (which aggregates its workers).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostPort } from '../config/index.js';
import { renderStatsPage, type StatsSnapshot } from './stats-page.js';

export interface AdminSources {
  metrics(): Promise<{ contentType: string; body: string }>;
  stats(): Promise<StatsSnapshot>;
}

export class AdminServer {
  private readonly server: Server;
  private readonly bind: HostPort;

  constructor(bind: HostPort, sources: AdminSources) {
    this.bind = bind;
    this.server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (status: number, type: string, body: string) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain; charset=utf-8', 'Method Not Allowed\n');
      const fail = () => reply(500, 'text/plain; charset=utf-8', 'Internal Server Error\n');
      switch (path) {
        case '/healthz':
          return reply(200, 'application/json', '{"status":"ok"}\n');
        case '/metrics':
          sources.metrics().then((m) => reply(200, m.contentType, m.body), fail);
          return;
        case '/':
        case '/stats':
          sources.stats().then((s) => reply(200, 'text/html; charset=utf-8', renderStatsPage(s)), fail);
          return;
        default:
          return reply(404, 'text/plain; charset=utf-8', 'Not Found\n');
      }
    });
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.bind.host, port: this.bind.port }, () => {
        this.server.off('error', reject);
        this.server.on('error', () => undefined); // after binding, accept errors must not crash the gateway
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
