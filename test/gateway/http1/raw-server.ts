/**
 * The gateway's HTTP/1.1 server on a real port with a raw client, for the tests in this folder: `serve`
 * starts one (its 'clientError' codes are recorded and answered 408/400 with Connection: close), and
 * `exchange` writes raw bytes and reads everything until the server closes or goes quiet.
 */
import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Http1Server, type Http1Request, type Http1Response } from '../../../src/gateway/http1/index.js';

export type Handler = (req: Http1Request, res: Http1Response) => void;

export async function serve(handler: Handler, configure?: (server: Http1Server) => void, options?: { maxHeaderFields?: number }): Promise<{ server: Http1Server; port: number; errors: string[] }> {
  const server = new Http1Server({ maxHeaderSize: 16 * 1024, ...options });
  const errors: string[] = [];
  configure?.(server);
  server.on('request', handler);
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    errors.push(error.code ?? 'unknown');
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} Refused\r\nX-Code: ${error.code}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return { server, port: (server.address() as AddressInfo).port, errors };
}

export function stop(server: Http1Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A raw client: send bytes, read everything until the server closes or `ms` of silence. */
export function exchange(port: number, chunks: (string | number)[], quietMs = 300): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
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
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else if (chunk === 'END') socket.end();
        else socket.write(chunk);
      }
      arm();
    });
  });
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
