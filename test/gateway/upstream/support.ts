/**
 * Scaffolding for the upstream client's tests: raw node:net servers that write exact bytes (so a test
 * can misbehave precisely), a collecting UpstreamHandler, and a pool with test-sized defaults.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { UpstreamPool } from '../../../src/gateway/upstream/pool.js';
import type { PoolOptions, UpstreamHandler, UpstreamRequest } from '../../../src/gateway/upstream/types.js';

export type UpstreamError = Error & { code?: string };

/** Records everything the pool tells it; `done` settles on onComplete or onError. */
export class Collector implements UpstreamHandler {
  status = 0;
  headers: string[] = [];
  chunks: Buffer[] = [];
  /** Every callback in order: 'connect', 'headers:200', 'data', 'complete', 'error:CODE'. */
  events: string[] = [];
  completed = false;
  error: UpstreamError | undefined;
  abort: ((reason?: Error) => void) | undefined;
  resume: (() => void) | undefined;
  /** Times onComplete/onError were called (must end at exactly 1). */
  endings = 0;
  readonly done: Promise<void>;
  private settle!: () => void;

  constructor() {
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.events.push('connect');
    this.abort = abort;
  }

  onHeaders(statusCode: number, headers: string[], resume: () => void): boolean {
    this.events.push(`headers:${statusCode}`);
    this.status = statusCode;
    this.headers = headers;
    this.resume = resume;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.events.push('data');
    this.chunks.push(Buffer.from(chunk)); // the parser's buffer may be reused
    return true;
  }

  onComplete(): void {
    this.events.push('complete');
    this.endings++;
    this.completed = true;
    this.settle();
  }

  onError(error: UpstreamError): void {
    this.events.push(`error:${error.code ?? error.message}`);
    this.endings++;
    this.error = error;
    this.settle();
  }

  get body(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

export function get(path = '/', headers: readonly string[] = []): UpstreamRequest {
  return { method: 'GET', path, headers, body: null };
}

export function makePool(port: number, options: Partial<PoolOptions> = {}): UpstreamPool {
  return new UpstreamPool({
    host: '127.0.0.1',
    port,
    hostHeader: 'upstream.test',
    connections: 4,
    connectTimeout: 1000,
    responseTimeout: 2000,
    queueTimeout: 5000,
    keepAliveTimeout: 5000,
    maxHeaderSize: 16_384,
    ...options,
  });
}

/** Dispatches one request and waits for its end. */
export async function send(pool: UpstreamPool, request: UpstreamRequest, handler = new Collector()): Promise<Collector> {
  pool.dispatch(request, handler);
  await handler.done;
  return handler;
}

export interface RawRequest {
  /** The request head, latin1, up to and including the blank line. */
  readonly head: string;
  /** 0-based index of the connection it came on. */
  readonly connection: number;
  readonly socket: Socket;
}

export interface RawServer {
  readonly port: number;
  /** Accepted TCP connections so far. */
  connections(): number;
  /** Connections accepted and not yet closed. */
  openConnections(): number;
  /** Most connections open at once. */
  maxOpen(): number;
  /** Every request head received, in order. */
  readonly requests: RawRequest[];
  /** Every byte received per connection, latin1. */
  readonly received: string[];
  readonly sockets: Socket[];
  /** Resolves when `n` request heads have arrived. */
  waitRequests(n: number): Promise<void>;
  /** Resolves when connection `index` is closed. */
  waitClosed(index: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A raw TCP server on 127.0.0.1: each request head (split at the blank line; request bodies are not
 * framed, use node:http for those) is passed to `onRequest`, which writes whatever bytes it likes.
 */
export async function rawServer(onRequest: (request: RawRequest, server: RawServer) => void): Promise<RawServer> {
  const sockets: Socket[] = [];
  const received: string[] = [];
  const requests: RawRequest[] = [];
  const closedFlags: boolean[] = [];
  let requestWaiters: Array<{ n: number; resolve: () => void }> = [];
  let open = 0;
  let maxOpen = 0;
  let api: RawServer;
  const server: Server = createServer((socket) => {
    const index = sockets.length;
    sockets.push(socket);
    received.push('');
    closedFlags.push(false);
    open++;
    maxOpen = Math.max(maxOpen, open);
    let pending = '';
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open--;
      closedFlags[index] = true;
    });
    socket.on('data', (data: Buffer) => {
      const text = data.toString('latin1');
      received[index] += text;
      pending += text;
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        const head = pending.slice(0, end + 4);
        pending = pending.slice(end + 4);
        const request = { head, connection: index, socket };
        requests.push(request);
        onRequest(request, api);
        requestWaiters = requestWaiters.filter((w) => (requests.length >= w.n ? (w.resolve(), false) : true));
        if (socket.destroyed) return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = {
    port: (server.address() as AddressInfo).port,
    connections: () => sockets.length,
    openConnections: () => open,
    maxOpen: () => maxOpen,
    requests,
    received,
    sockets,
    waitRequests: (n) => (requests.length >= n ? Promise.resolve() : new Promise((resolve) => requestWaiters.push({ n, resolve }))),
    // polled: the connection may not even have been accepted yet when a test starts waiting
    waitClosed: (index) => until(() => closedFlags[index] === true, 3000, `server connection ${index} to close`),
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
  return api;
}

/** A keep-alive 200 whose body is the request's path. */
export function echoPath(request: RawRequest): void {
  const path = request.head.split(' ')[1] ?? '';
  request.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`);
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every few ms until it holds (or fails after `ms`). */
export async function until(predicate: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
