/**
 * The headers a backend received, as the HAProxy-vs-Gatehouse differential tests compare them: names in
 * lower case, the copies of each name in the order they arrived, names sorted (HAProxy's set-header appends
 * at the end, Gatehouse keeps the client's headers first: the order of different names is not compared).
 * Left out: framing (Connection, Keep-Alive, Content-Length, Transfer-Encoding: each proxy frames its own
 * upstream message) and the X-Forwarded-For/-Proto/-Host headers Gatehouse always adds (docs/haproxy.md:
 * `option forwardfor` is how HAProxy adds the first; Gatehouse has no way to leave them out). A Host of
 * `127.0.0.1:<port>` is compared without the port: each proxy listens on its own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const NOT_COMPARED = new Set(['connection', 'keep-alive', 'content-length', 'transfer-encoding', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/** A canonical text of what arrived (see the file comment). */
export function receivedHeaders(rawHeaders: readonly string[]): string {
  const byName = new Map<string, string[]>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    if (NOT_COMPARED.has(name)) continue;
    // a test client's Host names the port it connected to, which differs between the two proxies
    const value = name === 'host' ? (rawHeaders[i + 1] as string).replace(/^(127\.0\.0\.1|localhost):\d+$/, '$1:<port>') : (rawHeaders[i + 1] as string);
    byName.set(name, [...(byName.get(name) ?? []), value]);
  }
  return JSON.stringify([...byName.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The response header carrying `receivedHeaders` of the request, for tests that keep the upstream's body as it was. */
export const RECEIVED = 'x-received';

/**
 * An upstream on 127.0.0.1 port 0 that answers with `body(req)` (default: a JSON echo of its name, the
 * method and URL) and the received headers in the `x-received` response header.
 */
export async function headerEcho(name: string, body?: (req: IncomingMessage, res: ServerResponse) => string | undefined): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader(RECEIVED, receivedHeaders(req.rawHeaders));
    const text = body?.(req, res) ?? JSON.stringify({ server: name, method: req.method, url: req.url });
    if (!res.headersSent && res.getHeader('content-type') === undefined) res.setHeader('content-type', 'application/json');
    res.end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

export function addressOf(server: Server): string {
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}
