/**
 * Real upstream HTTP servers for gateway tests, on 127.0.0.1 port 0. Each answers with a JSON echo of
 * what it received (method, url, headers, body length) and counts requests; a few paths misbehave on
 * purpose (/slow waits, /status/NNN answers NNN, /health follows `healthy`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  bytes: number;
  server: string;
}

export interface TestUpstream {
  readonly name: string;
  readonly port: number;
  readonly address: string;
  requests: number;
  /** Requests to /health (not counted in `requests`). */
  healthChecks: number;
  healthy: boolean;
  server: Server;
  close(): Promise<void>;
}

export async function startUpstream(name: string, handler?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<TestUpstream> {
  const state = { requests: 0, healthChecks: 0, healthy: true };
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      state.healthChecks++;
      res.writeHead(state.healthy ? 200 : 503).end(state.healthy ? 'ok' : 'sick');
      return;
    }
    state.requests++;
    if (handler?.(req, res) === true) return;
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      const status = /^\/status\/(\d{3})/.exec(req.url ?? '');
      const delay = /^\/slow\/(\d+)/.exec(req.url ?? '');
      const reply = () => {
        const echo: Echo = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bytes, server: name };
        res.writeHead(status === null ? 200 : Number(status[1]), { 'content-type': 'application/json', 'x-upstream': name, connection: 'keep-alive, x-secret-hop', 'x-secret-hop': 'leak', 'keep-alive': 'timeout=5' });
        res.end(JSON.stringify(echo));
      };
      if (delay === null) reply();
      else setTimeout(reply, Number(delay[1]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    port,
    address: `127.0.0.1:${port}`,
    server,
    get requests() {
      return state.requests;
    },
    set requests(n: number) {
      state.requests = n;
    },
    get healthChecks() {
      return state.healthChecks;
    },
    set healthChecks(n: number) {
      state.healthChecks = n;
    },
    get healthy() {
      return state.healthy;
    },
    set healthy(v: boolean) {
      state.healthy = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port that refuses connections (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
