/**
 * Responses the gateway writes itself (errors, 404, 503, auth denials). Bodies are short plain text, or
 * the frontend's `error_pages`; `close` asks Node to close the connection after the response (used for
 * malformed input).
 */
import type { ClientResponse } from '../http1/index.js';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { ErrorPages } from './error-pages.js';

export function sendLocal(res: ClientResponse, status: number, text: string, close: boolean, hsts?: string, pages?: ErrorPages): number {
  const page = pages?.get(status);
  const body = page === undefined ? text : page.body;
  const length = Buffer.byteLength(body);
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  // HTTP/2 has no Connection header (the stream ends; the session stays)
  if (close && res.req?.httpVersionMajor === 2) close = false;
  const headers: Record<string, string | number> = close
    ? { 'content-type': page?.contentType ?? 'text/plain; charset=utf-8', 'content-length': length, 'cache-control': 'no-store', connection: 'close' }
    : { 'content-type': page?.contentType ?? 'text/plain; charset=utf-8', 'content-length': length, 'cache-control': 'no-store' };
  if (hsts !== undefined) headers['strict-transport-security'] = hsts;
  res.writeHead(status, headers);
  res.end(body);
  return length;
}

/** For a raw socket (upgrade requests and parser errors): a minimal response, then close. */
export function sendRawAndClose(socket: Socket, status: number, body: string, headers?: Readonly<Record<string, string>>): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n`;
  let hasType = false;
  if (headers !== undefined) {
    for (const [name, value] of Object.entries(headers)) {
      if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value)) continue;
      if (name.toLowerCase() === 'content-length' || name.toLowerCase() === 'connection') continue;
      if (name.toLowerCase() === 'content-type') hasType = true;
      head += `${name}: ${value}\r\n`;
    }
  }
  if (!hasType) head += 'Content-Type: text/plain; charset=utf-8\r\n';
  head += `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body);
}

export const MESSAGES = {
  badRequest: 'Bad Request: malformed request\n',
  badHost: 'Bad Request: exactly one valid Host header is required\n',
  badTarget: 'Bad Request: the request path is malformed or ambiguous (encoded slash or backslash, ";" on a dot segment, a name ending in "." or space, double encoding, control character or fragment)\n',
  uriTooLong: 'URI Too Long\n',
  sourceDenied: 'Forbidden: requests from this address are not allowed here\n',
  corsDenied: 'Forbidden: this origin may not call this API from a browser\n',
  rateLimited: 'Too Many Requests: this client sent more requests than the rate limit allows; retry after the time in Retry-After\n',
  rateLimitUnavailable: 'Service Unavailable: the rate limit could not be checked\n',
  bodyTooLarge: (limit: number) => `Payload Too Large: the request body may be at most ${limit} bytes\n`,
  notFound: 'Not Found: no route matches this request\n',
  noServer: (backend: string) => `Service Unavailable: no healthy server in backend "${backend}"\n`,
  badGateway: 'Bad Gateway: the upstream server could not be reached or failed\n',
  gatewayTimeout: 'Gateway Timeout: the upstream server did not answer in time\n',
  queueTimeout: (backend: string) => `Service Unavailable: every connection to backend "${backend}" stayed busy for the queue timeout\n`,
  internalError: 'Internal Server Error\n',
  authError: 'Internal Server Error: authorization failed unexpectedly\n',
  badUpgrade: 'Bad Request: only WebSocket upgrades are proxied\n',
  upgradeMalformed: 'Bad Request: an upgrade request may carry no body and may not ask to close the connection\n',
  requestTimeout: 'Request Timeout: the request body did not arrive in time\n',
  codingNotImplemented: 'Not Implemented: the only transfer coding accepted is one "chunked"\n',
  badTransferEncoding: 'Bad Request: Transfer-Encoding must be one field with one "chunked" coding, on HTTP/1.1\n',
  versionNotSupported: 'HTTP Version Not Supported\n',
  tooManyFields: (limit: number) => `Bad Request: more than ${limit} header fields\n`,
} as const;
