/**
 * The gateway's HTTP/1.1 server on a real port with a raw client, for the tests in this folder: `serve`
 * starts one (its 'clientError' codes are recorded and answered 408/400 with Connection: close), and
 * `exchange` writes raw bytes and reads everything until the server closes or goes quiet.
 *
 * The same server also runs behind TLS, as a TLS frontend runs it (src/gateway/tls/tls-frontend-server.ts,
 * with HTTP/2 on: the connection is dispatched by ALPN). `overEach(name, body)` registers a test once per
 * transport, plain and TLS; `body` gets that transport's `serve`, `exchange` and `connect`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { Http1Server, type Http1Request, type Http1Response } from '../../../src/gateway/http1/index.js';
import { CertificateStore } from '../../../src/gateway/tls/certificate-store.js';
import { issueCertificate } from '../../../src/gateway/tls/local-ca.js';
import { frontendTlsSchema, tlsSessionsSchema } from '../../../src/gateway/tls/schema.js';
import { TlsFrontendServer } from '../../../src/gateway/tls/tls-frontend-server.js';
import { createLogger } from '../../../src/shared/logger.js';

export type Handler = (req: Http1Request, res: Http1Response) => void;
/** The own server as a plain frontend runs it, or behind TLS as a TLS frontend does. */
export type AnyServer = Http1Server | TlsFrontendServer;
export interface Served<S extends AnyServer = AnyServer> {
  readonly server: S;
  readonly port: number;
  readonly errors: string[];
}
type ServeOptions = { maxHeaderFields?: number };

function listenWith<S extends AnyServer>(server: S, handler: Handler, configure: ((server: S) => void) | undefined): Promise<Served<S>> {
  const errors: string[] = [];
  configure?.(server);
  server.on('request', handler);
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    errors.push(error.code ?? 'unknown');
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} Refused\r\nX-Code: ${error.code}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  return new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve({ server, port: (server.address() as AddressInfo).port, errors })));
}

export function serve(handler: Handler, configure?: (server: Http1Server) => void, options?: ServeOptions): Promise<Served<Http1Server>> {
  return listenWith(new Http1Server({ maxHeaderSize: 16 * 1024, ...options }), handler, configure);
}

/** One certificate (from the gateway's own JS CA: no openssl needed) for every TLS server of the process. */
let files: { cert: string; key: string } | undefined;
function certificateFiles(): { cert: string; key: string } {
  if (files !== undefined) return files;
  const ca = issueCertificate({ commonName: 'raw-server test CA' });
  const leaf = issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], issuer: ca });
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-raw-tls-'));
  files = { cert: join(dir, 'leaf.pem'), key: join(dir, 'leaf.key') };
  writeFileSync(files.cert, leaf.cert);
  writeFileSync(files.key, leaf.key);
  return files;
}

export function serveTls(handler: Handler, configure?: (server: AnyServer) => void, options?: ServeOptions): Promise<Served> {
  const tls = frontendTlsSchema.parse(certificateFiles());
  const store = new CertificateStore('raw', tls, '/', createLogger({ level: 'silent' }));
  const server = new TlsFrontendServer(store, tls, { maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 1_000, maxHeaderFields: options?.maxHeaderFields }, tlsSessionsSchema.parse({}));
  return listenWith<AnyServer>(server, handler, configure);
}

export function stop(server: AnyServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A client connection, `ready` once bytes can be sent (TCP connected; TLS: handshake done, ALPN http/1.1). */
export type Connect = (port: number, ready: () => void) => Socket;

const connectTcp: Connect = (port, ready) => tcpConnect({ host: '127.0.0.1', port }, ready);
const connectTls: Connect = (port, ready) => tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, ready);

/** A raw client: send bytes, read everything until the server closes or `ms` of silence. */
export function exchange(port: number, chunks: (string | number)[], quietMs = 300): Promise<{ text: string; closed: boolean }> {
  return exchangeOver(connectTcp, port, chunks, quietMs);
}

function exchangeOver(connect: Connect, port: number, chunks: (string | number)[], quietMs = 300): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else if (chunk === 'END') socket.end();
        else socket.write(chunk);
      }
      arm();
    });
    let text = '';
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      text += data;
      arm();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      done();
    });
  });
}

export interface Transport {
  readonly name: 'plain' | 'TLS';
  serve(handler: Handler, configure?: (server: AnyServer) => void, options?: ServeOptions): Promise<Served>;
  exchange(port: number, chunks: (string | number)[], quietMs?: number): Promise<{ text: string; closed: boolean }>;
  connect: Connect;
}

export const TRANSPORTS: readonly Transport[] = [
  { name: 'plain', serve, exchange, connect: connectTcp },
  { name: 'TLS', serve: serveTls, exchange: (port, chunks, quietMs) => exchangeOver(connectTls, port, chunks, quietMs), connect: connectTls },
];

/** A test registered once per transport: plain HTTP/1.1, then HTTP/1.1 over a TLS frontend's listener. */
export function overEach(name: string, body: (transport: Transport) => Promise<void>): void {
  for (const transport of TRANSPORTS) test(`${name} [${transport.name}]`, () => body(transport));
}

export const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;


/** The answers in `text`, split at each status line (bodies kept with their answer). */
export function answers(text: string): string[] {
  return text.split(/(?=HTTP\/1\.1 \d{3} )/).filter((part) => part !== '');
}

/** A handler that records each request and answers it after `delayMs`, echoing `METHOD url`. */
export function recorder(delayMs = 20): { seen: Http1Request[]; handler: Handler } {
  const seen: Http1Request[] = [];
  return {
    seen,
    handler(req, res) {
      seen.push(req);
      req.resume();
      setTimeout(() => {
        assert.equal(res.headersSent, false);
        res.end(`${req.method} ${req.url}`);
      }, delayMs);
    },
  };
}
