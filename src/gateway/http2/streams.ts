/**
 * Each HTTP/2 request stream of a TLS frontend's sessions becomes a (request, response) pair for the
 * request path (./request.ts, ./response.ts), as node:http2's compatibility layer made one, and in the
 * same cases: a CONNECT is answered 405 and an `Expect` other than `100-continue` 417, both before
 * admission (never forwarded, as before); `Expect: 100-continue` gets its 100 first. Every other stream
 * goes to `onRequest`, which runs the one admission pipeline.
 *
 * A stream error (a peer's RST with an error code, a failed write) must not become an unhandled 'error':
 * the layer swallowed them on the stream, and so does this (the response's 'close' tells the request path).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { constants, type ServerHttp2Stream } from 'node:http2';
import type { ClientRequest, ClientResponse } from '../http1/index.js';
import { Http2Request } from './request.js';
import { Http2Response } from './response.js';

export type RequestListener = (req: ClientRequest, res: ClientResponse) => void;

function ignoreStreamError(): void {}

const METHOD_NOT_ALLOWED = Object.freeze({ [constants.HTTP2_HEADER_STATUS]: constants.HTTP_STATUS_METHOD_NOT_ALLOWED });
const EXPECTATION_FAILED = Object.freeze({ [constants.HTTP2_HEADER_STATUS]: constants.HTTP_STATUS_EXPECTATION_FAILED });
const CONTINUE = Object.freeze({ [constants.HTTP2_HEADER_STATUS]: constants.HTTP_STATUS_CONTINUE });
const END_STREAM = Object.freeze({ endStream: true });

/** A new stream on one of the server's sessions (node:http2's 'stream' event). */
export function serveStream(onRequest: RequestListener, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): void {
  stream.on('error', ignoreStreamError);
  if (headers[':method'] === 'CONNECT') {
    answerEmpty(stream, METHOD_NOT_ALLOWED);
    return;
  }
  const expect = headers.expect;
  if (expect !== undefined) {
    if (expect !== '100-continue') {
      answerEmpty(stream, EXPECTATION_FAILED);
      return;
    }
    if (!stream.destroyed && !stream.headersSent) stream.additionalHeaders(CONTINUE);
  }
  const req = new Http2Request(stream, headers, rawHeaders) as unknown as ClientRequest;
  onRequest(req, new Http2Response(stream, req) as unknown as ClientResponse);
}

function answerEmpty(stream: ServerHttp2Stream, head: Readonly<Record<string, number>>): void {
  if (!stream.destroyed && !stream.closed) stream.respond(head, END_STREAM);
}
