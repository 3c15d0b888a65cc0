/**
 * The sample service of the walkthrough: an HTTP server that answers every request with a description of
 * that request, so you can see what the gateway forwarded (claim headers, X-Forwarded-*). `GET /health`
 * answers 200 `ok` for health checks. Bodies are read to the end but only their first 64 KiB are kept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../shared/logger.js';
import { describeRequest } from './describe.js';
import { chooseFormat, renderJson, renderText } from './render.js';

export interface EchoOptions {
  /** Interface to listen on; defaults to 127.0.0.1. */
  readonly host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Shown in every answer and in the `X-Echo-Server` header; defaults to `echo`. */
  readonly name?: string;
  readonly logger?: Logger;
}

export interface EchoServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const SAMPLE_LIMIT = 64 * 1024;
const HEALTH_PATH = '/health';

function readBody(request: IncomingMessage): Promise<{ bytes: number; sample: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (kept < SAMPLE_LIMIT) {
        const part = chunk.subarray(0, SAMPLE_LIMIT - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    request.once('end', () => resolve({ bytes, sample: Buffer.concat(chunks), truncated: bytes > kept }));
    request.once('error', reject);
  });
}

function send(response: ServerResponse, status: number, contentType: string, body: string, server: string): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-echo-server': server,
  });
  response.end(body);
}

async function answer(name: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const path = (request.url ?? '/').split('?', 1)[0];
  if (path === HEALTH_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
    send(response, 200, 'text/plain; charset=utf-8', 'ok\n', name);
    return;
  }
  const echoed = describeRequest(name, request, body);
  if (chooseFormat(request.headers.accept, echoed.query) === 'json') {
    send(response, 200, 'application/json; charset=utf-8', renderJson(echoed), name);
  } else {
    send(response, 200, 'text/plain; charset=utf-8', renderText(echoed), name);
  }
}

export function startEcho(options: EchoOptions = {}): Promise<EchoServer> {
  const host = options.host ?? '127.0.0.1';
  const name = options.name ?? 'echo';
  const logger = options.logger;
  const server: Server = createServer((request, response) => {
    answer(name, request, response).catch((error: unknown) => {
      logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'echo: request failed');
      if (!response.headersSent) send(response, 400, 'text/plain; charset=utf-8', 'bad request\n', name);
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      logger?.info({ host, port, server: name }, 'echo service listening');
      resolve({
        url: `http://${urlHost}:${port}`,
        host,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
