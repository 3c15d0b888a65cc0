/**
 * The admin listener, on its own port: `/healthz` (liveness), `/metrics` (Prometheus text), `/` or
 * `/stats` (HTML stats page), `GET /api/servers` (every server's state as JSON) and
 * `PUT /api/servers/<backend>/<server>/state` (the operator's state: ready, drain or maint; HAProxy's
 * `set server … state`), which needs `Authorization: Bearer <admin.token>`. Sources are functions so the
 * same server works in-process and in the cluster primary (which aggregates its workers).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostPort } from '../config/index.js';
import { ADMIN_STATES, type AdminState } from '../health/upstream-server.js';
import { renderStatsPage, type StatsSnapshot } from './stats-page.js';

/** GET /api/servers: one entry per server, from the stats snapshot. */
function serverList(snapshot: StatsSnapshot): unknown[] {
  return snapshot.backends.flatMap((backend) =>
    backend.servers.map((s) => ({ backend: backend.name, server: s.name, address: s.address, up: s.up, state: s.admin ?? 'ready', backup: s.backup === true, inflight: s.inflight, requests: s.requests, failures: s.failures, ...(s.upIn === undefined ? {} : { upIn: s.upIn }) })),
  );
}

export interface AdminSources {
  metrics(): Promise<{ contentType: string; body: string }>;
  stats(): Promise<StatsSnapshot>;
  /** Sets a server's operator state; false when the backend has no such server. */
  setServerState(backend: string, server: string, state: AdminState): Promise<boolean>;
}

export interface AdminOptions {
  /** The admin API's bearer token (admin.token, resolved); undefined: changes are refused. */
  readonly token?: string | undefined;
}

const STATE_PATH = /^\/api\/servers\/([^/]+)\/([^/]+)\/state$/;
const MAX_BODY = 1024;

export class AdminServer {
  private readonly server: Server;
  private readonly bind: HostPort;

  constructor(bind: HostPort, sources: AdminSources, options: AdminOptions = {}) {
    this.bind = bind;
    const tokenDigest = options.token === undefined ? undefined : createHash('sha256').update(options.token).digest();
    this.server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
      const path = (req.url ?? '/').split('?')[0] as string;
      const reply = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      const state = STATE_PATH.exec(path);
      if (state !== null) return this.changeState(req, reply, sources, tokenDigest, state[1] as string, state[2] as string);
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
        case '/api/servers':
          sources.stats().then((s) => reply(200, 'application/json', `${JSON.stringify(serverList(s))}\n`), fail);
          return;
        default:
          return reply(404, 'text/plain; charset=utf-8', 'Not Found\n');
      }
    });
  }

  /** PUT /api/servers/<backend>/<server>/state with `{"state":"drain"}` (or the bare word) and the bearer token. */
  private changeState(
    req: IncomingMessage,
    reply: (status: number, type: string, body: string, headers?: Record<string, string>) => void,
    sources: AdminSources,
    tokenDigest: Buffer | undefined,
    backend: string,
    server: string,
  ): void {
    const json = (status: number, value: unknown, headers?: Record<string, string>) => reply(status, 'application/json', `${JSON.stringify(value)}\n`, headers);
    if (req.method !== 'PUT') return json(405, { error: 'use PUT' }, { allow: 'PUT' });
    if (tokenDigest === undefined) return json(403, { error: 'the admin API is read-only: set admin.token to allow changes' });
    const given = /^Bearer ([!-~]+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(createHash('sha256').update(given).digest(), tokenDigest)) {
      return json(401, { error: 'a valid admin token is required' }, { 'www-authenticate': 'Bearer realm="gatehouse-admin"' });
    }
    let body = '';
    let tooLarge = false;
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) tooLarge = true;
    });
    req.on('end', () => {
      if (tooLarge) return json(413, { error: 'body too large' });
      let wanted: unknown = body.trim();
      try {
        if ((wanted as string).startsWith('{')) wanted = (JSON.parse(wanted as string) as { state?: unknown }).state;
      } catch {
        wanted = undefined;
      }
      if (!ADMIN_STATES.includes(wanted as AdminState)) return json(400, { error: 'expected {"state":"ready"|"drain"|"maint"}' });
      let names: [string, string];
      try {
        names = [decodeURIComponent(backend), decodeURIComponent(server)];
      } catch {
        return json(404, { error: 'no such server' });
      }
      sources.setServerState(names[0], names[1], wanted as AdminState).then(
        (found) => (found ? json(200, { backend: names[0], server: names[1], state: wanted }) : json(404, { error: 'no such server' })),
        () => json(500, { error: 'internal error' }),
      );
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
