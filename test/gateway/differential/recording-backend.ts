/**
 * The recording raw backend: a net.Server that parses what it receives with the suite's own strict parser
 * (strict-parser.ts), records the raw bytes of every connection and the list of requests parsed from them,
 * and answers each request with a response that names the request's markers. How it answers is scripted
 * by the request's query (`be=` framing, `up=` the answer to an upgrade), so a pipelined sequence can ask
 * for different framings per message:
 *
 * - `be=cl` (default): Content-Length; `be=chunked`: two chunks and trailers `X-T` and `Set-Cookie`
 *   naming the markers; `be=close`: close-delimited body, then close; `be=cont`: a `100 Continue` and a
 *   `103 Early Hints` first; `be=slow`: head, a pause, then the body in pieces; `be=reset`: close without
 *   answering.
 * - `up=101`: an upgrade request is answered `101` with its own `Upgrade`, and the connection becomes a
 *   tunnel whose bytes are recorded and echoed back; without it an upgrade gets an ordinary answer
 *   (as a plain HTTP application would answer) and the connection stays HTTP.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { header, headerValues, parseRequest, type ParsedRequest } from './strict-parser.js';

export interface BackendRequest extends ParsedRequest {
  readonly connection: number;
  readonly index: number;
}

export interface BackendConnection {
  readonly id: number;
  raw: Buffer[];
  readonly requests: BackendRequest[];
  /** A parse error: what the proxy sent was not one strict HTTP/1.1 message. */
  error: string | undefined;
  /** Bytes received after a 101. */
  tunnel: Buffer[];
}

export interface RecordingBackend {
  readonly port: number;
  readonly address: string;
  readonly connections: BackendConnection[];
  readonly requests: BackendRequest[];
  /** Forgets the requests recorded so far (connections stay listed, and keep working). */
  reset(): void;
  close(): Promise<void>;
}

function directive(target: string, name: string): string | undefined {
  const q = target.indexOf('?');
  if (q < 0) return undefined;
  for (const part of target.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === name) return part.slice(eq + 1);
  }
  return undefined;
}

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the backend says it saw: the method, the target and every marker in the request. */
function describe(req: ParsedRequest): string {
  const markers = [...new Set(req.raw.toString('latin1').match(/~C\d+(?:[RS]\d+)?~/g) ?? [])];
  return `backend saw ${req.method} ${req.target} markers=${markers.join(',')}`;
}

async function answer(socket: Socket, req: ParsedRequest): Promise<'keep' | 'close' | 'tunnel'> {
  const mode = directive(req.target, 'be') ?? 'cl';
  const text = describe(req);
  const seen = text.slice(text.indexOf('markers=') + 8) || 'none';
  const head = req.method === 'HEAD';
  const closing = req.version === 'HTTP/1.0' ? !headerValues(req.headers, 'connection').some((v) => /keep-alive/i.test(v)) : headerValues(req.headers, 'connection').some((v) => /(^|,)\s*close\s*(,|$)/i.test(v));
  if (req.upgrade && directive(req.target, 'up') === '101') {
    const key = header(req.headers, 'sec-websocket-key');
    const accept = key === undefined ? '' : `Sec-WebSocket-Accept: ${createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64')}\r\n`;
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${header(req.headers, 'upgrade')}\r\n${accept}X-Seen: ${seen}\r\n\r\n`);
    return 'tunnel';
  }
  if (mode === 'reset') return 'close';
  if (mode === 'cont') socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n');
  const body = Buffer.from(text, 'latin1');
  const common = `Content-Type: text/plain\r\nX-Seen: ${seen}\r\n`;
  if (mode === 'chunked') {
    const half = body.length >> 1;
    const chunks = head ? '' : `${half.toString(16)}\r\n${body.toString('latin1', 0, half)}\r\n${(body.length - half).toString(16)}\r\n${body.toString('latin1', half)}\r\n0\r\nX-T: ${seen}\r\nSet-Cookie: t=${seen}\r\n\r\n`;
    socket.write(`HTTP/1.1 200 OK\r\n${common}Transfer-Encoding: chunked\r\nTrailer: X-T, Set-Cookie\r\n${closing ? 'Connection: close\r\n' : ''}\r\n${chunks}`);
  } else if (mode === 'close') {
    socket.write(`HTTP/1.1 200 OK\r\n${common}Connection: close\r\n\r\n${head ? '' : text}`);
    return 'close';
  } else if (mode === 'slow') {
    socket.write(`HTTP/1.1 200 OK\r\n${common}Content-Length: ${body.length}\r\n${closing ? 'Connection: close\r\n' : ''}\r\n`);
    await sleep(5);
    if (!head) {
      socket.write(body.subarray(0, 7));
      await sleep(5);
      socket.write(body.subarray(7));
    }
  } else {
    socket.write(`HTTP/1.1 200 OK\r\n${common}Content-Length: ${body.length}\r\n${closing ? 'Connection: close\r\n' : ''}\r\n${head ? '' : text}`);
  }
  return closing ? 'close' : 'keep';
}

export interface BackendOptions {
  /** Keep raw bytes and requests (default true); the fuzzer only watches them through the hooks. */
  readonly keep?: boolean;
  readonly onRequest?: (request: BackendRequest) => void;
  readonly onError?: (connection: BackendConnection, raw: Buffer) => void;
}

export async function startRecordingBackend(options: BackendOptions = {}): Promise<RecordingBackend> {
  const keep = options.keep !== false;
  const connections: BackendConnection[] = [];
  let requests: BackendRequest[] = [];
  let nextId = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    const conn: BackendConnection = { id: nextId++, raw: [], requests: [], error: undefined, tunnel: [] };
    if (keep) connections.push(conn);
    let pending = Buffer.alloc(0);
    let state: 'http' | 'busy' | 'tunnel' | 'closed' = 'http';
    const pump = async (): Promise<void> => {
      while (state === 'http') {
        const step = parseRequest(pending);
        if (step.kind === 'incomplete') return;
        if (step.kind === 'error') {
          conn.error = step.error;
          options.onError?.(conn, pending);
          state = 'closed';
          socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        pending = pending.subarray(step.used);
        const recorded: BackendRequest = { ...step.request, connection: conn.id, index: conn.requests.length };
        if (keep) {
          conn.requests.push(recorded);
          requests.push(recorded);
        }
        options.onRequest?.(recorded);
        state = 'busy';
        const next = await answer(socket, step.request);
        if (next === 'close') {
          state = 'closed';
          socket.end();
          return;
        }
        if (next === 'tunnel') {
          state = 'tunnel';
          if (pending.length > 0) tunnelData(pending);
          return;
        }
        state = 'http';
      }
    };
    const tunnelData = (data: Buffer) => {
      if (keep) conn.tunnel.push(data);
      socket.write(Buffer.concat([Buffer.from('tunnel echo: '), data]));
    };
    socket.on('data', (data: Buffer) => {
      if (keep) conn.raw.push(data);
      if (state === 'tunnel') return tunnelData(data);
      if (state === 'closed') return;
      pending = Buffer.concat([pending, data]);
      if (state === 'http') void pump();
    });
    socket.on('error', () => undefined);
    socket.on('end', () => {
      if (state !== 'closed') socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    reset() {
      for (const c of connections) c.requests.length = 0;
      requests = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
