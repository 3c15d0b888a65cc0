/**
 * What the upstream learns about a client's TLS connection: X-Forwarded-Proto `https`, and with mTLS the
 * verified client certificate's subject in a configured header (any client-sent copy is removed first).
 * Worked out once per connection and cached on its socket (per config generation).
 */
import type { ClientRequest } from '../http1/index.js';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface ConnectionInfo {
  readonly proto: 'http' | 'https';
  /** Lower-case header name for the client certificate subject; removed from client requests when set. */
  readonly subjectHeader: string | undefined;
  /** The verified client certificate's subject (`C=DE, O=Example, CN=alice`), if any. */
  readonly subject: string | undefined;
}

export const PLAIN_HTTP: ConnectionInfo = Object.freeze({ proto: 'http', subjectHeader: undefined, subject: undefined });

const kInfo = Symbol('gatehouse.connection-info');
type InfoSocket = Socket & { [kInfo]?: { key: unknown; info: ConnectionInfo } };

const UNSAFE = /[^\x20-\x7e]/;

/**
 * The TCP/TLS socket under a request: HTTP/2 requests reach it through their session. An HTTP/1 request
 * line saying `HTTP/2.0` has major version 2 too but no stream (refused by the framing stage).
 */
export function connectionSocket(req: ClientRequest): Socket {
  if (req.httpVersionMajor === 2) {
    const socket = (req as unknown as Partial<Http2ServerRequest>).stream?.session?.socket;
    if (socket !== undefined) return socket as Socket;
  }
  return req.socket;
}

/** The subject of the client certificate, only when the TLS layer verified it against the client CA. */
export function verifiedSubject(socket: TLSSocket): string | undefined {
  if (socket.authorized !== true || typeof socket.getPeerX509Certificate !== 'function') return undefined;
  const subject = socket.getPeerX509Certificate()?.subject.split('\n').join(', ');
  return subject === undefined || subject === '' || UNSAFE.test(subject) ? undefined : subject;
}

/** `key` changes when the config does (the generation), so a reload re-derives the info. */
export function tlsConnectionInfo(socket: Socket, key: unknown, subjectHeader: string | undefined): ConnectionInfo {
  const tagged = socket as InfoSocket;
  const cached = tagged[kInfo];
  if (cached !== undefined && cached.key === key) return cached.info;
  const subject = subjectHeader === undefined ? undefined : verifiedSubject(socket as TLSSocket);
  const info: ConnectionInfo = { proto: 'https', subjectHeader, subject };
  tagged[kInfo] = { key, info };
  return info;
}
