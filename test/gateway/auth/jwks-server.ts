/** A real JWKS / OIDC discovery server on 127.0.0.1, port 0, whose answers the test controls. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JwksServer {
  readonly url: string;
  readonly origin: string;
  /** Requests seen per path. */
  readonly hits: Map<string, number>;
  jwks: unknown;
  status: number;
  cacheControl: string | undefined;
  /** Cache-Control by path, over `cacheControl`. */
  readonly cacheControlFor: Map<string, string>;
  /** Real-time arrival (performance.now(), ms) of each request, per path. */
  readonly hitTimes: Map<string, number[]>;
  /** Extra documents by path (e.g. /.well-known/openid-configuration). */
  readonly documents: Map<string, unknown>;
  /** When set, requests wait for this promise before answering. */
  gate: Promise<void> | undefined;
  total(): number;
  close(): Promise<void>;
}

export async function startJwksServer(jwks: unknown): Promise<JwksServer> {
  const state = {
    jwks,
    status: 200,
    cacheControl: undefined as string | undefined,
    gate: undefined as Promise<void> | undefined,
  };
  const hits = new Map<string, number>();
  const documents = new Map<string, unknown>();
  const cacheControlFor = new Map<string, string>();
  const hitTimes = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    hitTimes.set(path, [...(hitTimes.get(path) ?? []), performance.now()]);
    const answer = () => {
      const doc = documents.has(path) ? documents.get(path) : path === '/jwks' ? state.jwks : undefined;
      if (doc === undefined) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const cacheControl = cacheControlFor.get(path) ?? state.cacheControl;
      if (cacheControl !== undefined) headers['cache-control'] = cacheControl;
      res.writeHead(path === '/jwks' ? state.status : 200, headers).end(typeof doc === 'string' ? doc : JSON.stringify(doc));
    };
    if (state.gate !== undefined) void state.gate.then(answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: `${origin}/jwks`,
    origin,
    hits,
    hitTimes,
    documents,
    cacheControlFor,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as JwksServer;
}
