/**
 * A client request and its response as the gateway's request path sees them: what the gateway's own
 * HTTP/1.1 server, the HTTP/2 stream adapters (src/gateway/http2: an Http2Request is no Readable, its body is
 * its stream) and node:http's IncomingMessage/ServerResponse (`server: node`, node:http2's compatibility
 * layer) all provide. Code on the request path uses these, so it works the same behind any of them.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface ClientRequest extends Readable {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly socket: Socket;
  /** The whole message, body included, has been read. */
  readonly complete: boolean;
  /** An upgrade request (`Connection: upgrade` + `Upgrade`): it never has a body (contract C1). */
  readonly upgrade?: boolean;
}

export interface ClientResponse extends NodeJS.WritableStream {
  statusCode: number;
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  /** Cleared to close the connection after this response (HTTP/1.x). */
  shouldKeepAlive: boolean;
  readonly req: ClientRequest;
  readonly socket: Socket | null;
  writeHead(status: number, headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this;
  setHeader(name: string, value: number | string | readonly string[]): this;
  removeHeader(name: string): void;
  destroy(error?: Error): this;
  /** Upgrade requests only, before anything was written: sends 101 with these headers and hands the socket over (C1). */
  switchProtocols?(headers: string[]): { socket: Socket; head: Buffer };
}
