/**
 * An HTTP/2 request as the request path sees it (ClientRequest), served from node:http2's core stream API
 * instead of its compatibility layer: the head is the headers object nghttp2's session produced (pseudo-
 * headers included, exactly what node:http2's Http2ServerRequest exposes), and the body is the stream itself,
 * read by the forward path directly (`body`), with no second Readable copying it chunk by chunk.
 *
 * Not a Readable: nothing on the request path reads a request as a stream except through its body
 * (admit/route-answers.ts takes `body` for an Http2Request), so the adapter does not pay for one.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';

export class Http2Request {
  readonly stream: ServerHttp2Stream;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  /** The connection's socket (node:http2's proxy of the TLS socket, one per session). */
  readonly socket: Socket;
  readonly httpVersionMajor = 2;
  readonly httpVersionMinor = 0;

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]) {
    this.stream = stream;
    this.headers = headers;
    this.rawHeaders = rawHeaders;
    this.socket = stream.session?.socket as Socket;
  }

  get method(): string | undefined {
    return this.headers[':method'] as string | undefined;
  }

  get url(): string | undefined {
    return this.headers[':path'] as string | undefined;
  }

  /** The request body: the stream's readable side (DATA frames; it ends with END_STREAM). */
  get body(): ServerHttp2Stream {
    return this.stream;
  }

  /** As node:http2's Http2ServerRequest: the body was read to its end, or the stream is gone. */
  get complete(): boolean {
    const stream = this.stream;
    return stream.readableEnded || stream.closed || stream.destroyed;
  }

  get destroyed(): boolean {
    return this.stream.destroyed;
  }
}
