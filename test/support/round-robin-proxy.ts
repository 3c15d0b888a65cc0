/**
 * A small real HTTP reverse proxy on 127.0.0.1 that sends each request to the next of its upstreams in
 * turn (round robin per request, not per connection: a browser's keep-alive connection still alternates).
 * Requests keep their Host header, so the upstreams build their URLs and cookies for the proxy's address.
 *
 * Browser navigations and form posts (`Sec-Fetch-Dest: document`) take turns among themselves, and every
 * other request (subresources, API calls) among themselves: so each page a browser is shown comes from
 * the other upstream than the previous page, and a form is always posted to the other upstream than the
 * one that served it, however many stylesheets and scripts the page loads in between. Every forwarded
 * request is recorded in `log`.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** Index of the upstream that answered. */
  upstream: number;
  document: boolean;
  status: number;
}

export interface RoundRobinProxy {
  url: string;
  log: ProxiedRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** `upstreams` (base URLs) is read on each request, so a caller may fill it after the proxy listens. */
export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true });
  const turns = { document: 0, other: 0 };
  const log: ProxiedRequest[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const document = req.headers['sec-fetch-dest'] === 'document';
    const upstream = (document ? turns.document++ : turns.other++) % upstreams.length;
    const target = new URL(upstreams[upstream]!);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    const entry: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', upstream, document, status: 0 };
    log.push(entry);
    const outgoing = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      entry.status = answer.statusCode ?? 0;
      const back: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) back[name] = value;
      res.writeHead(entry.status, back);
      answer.pipe(res);
    });
    outgoing.on('error', (error) => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(outgoing);
  };

  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
