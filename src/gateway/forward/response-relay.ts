/**
 * The response half of a forwarded request: the upstream's head checked and rewritten for the client
 * (./response-head.ts), its body streamed back with the upstream's backpressure, compressed when the
 * route says so (./compression.ts), and the request finished exactly once. The dispatch half (choosing
 * the server, retries, mapping upstream failures) is ./exchange.ts, which extends this class: one object
 * per request, so the hot path allocates nothing more for the split.
 */
import { headerValue } from '../../shared/header-list.js';
import type { GatewayRequest } from '../admit/gateway-request.js';
import type { RouteTarget } from '../runtime/generation.js';
import { MESSAGES } from '../listen/local-response.js';
import { compressedHeaders, compressible, createCompressor, negotiate, type Algorithm, type Compressor } from './compression.js';
import { contentLength, responseHead } from './response-head.js';

/** Largest whole response body sent in the same write() as the response head. */
const SINGLE_WRITE_MAX = 4096;

export abstract class ResponseRelay {
  protected readonly request: GatewayRequest;
  protected readonly target: RouteTarget;
  protected responseStarted = false;
  protected status = 0;
  protected bytes = 0;
  /** The upstream's Content-Length (-1 when absent): lets the last chunk go out with end() in one write. */
  private expected = -1;
  /** The whole body went out with end(): a 'close' after it is the response finishing. */
  private ended = false;
  /** The zlib stream between the upstream body and the client, when this response is compressed. */
  protected compressor: Compressor | undefined;
  private resumeUpstream: (() => void) | undefined;

  constructor(request: GatewayRequest, target: RouteTarget) {
    this.request = request;
    this.target = target;
  }

  /** The name of the server answering, for the log. */
  protected abstract serverName(): string | undefined;
  /** Stops the upstream side of the exchange, if it is still running (the Error is made only then). */
  protected abstract stopUpstream(reason: string): void;
  /** A failure of our own while relaying: 502 or a cut connection, never a crash. */
  protected abstract internalError(error: unknown): false;

  /** Sends the upstream's head to the client; false when the body must not be read. */
  protected startResponse(statusCode: number, rawHeaders: string[], resume: () => void): boolean {
    this.responseStarted = true;
    this.status = statusCode;
    this.resumeUpstream = resume;
    const request = this.request;
    if (request.done) return false;
    let headers = responseHead(request, this.target, rawHeaders);
    const compression = this.target.compression;
    let compressWith: Algorithm | undefined;
    let sizeHint: number | undefined;
    if (compression !== undefined) {
      const accept = request.req.headers['accept-encoding'];
      compressWith = negotiate(compression, Array.isArray(accept) ? accept.join(',') : accept);
      if (compressWith !== undefined && compressible(compression, request.req.method as string, statusCode, headers)) {
        const length = Number(headerValue(headers, 'content-length') ?? Number.NaN);
        sizeHint = Number.isFinite(length) ? length : undefined;
        headers = compressedHeaders(headers, compressWith);
      } else compressWith = undefined;
    }
    this.expected = contentLength(headers);
    try {
      request.res.writeHead(statusCode, headers);
    } catch {
      // a head Node refuses to send (HTTP/2: e.g. two Content-Type fields): answer 502 rather than forward it
      // or crash. The answer comes first: stopping the upstream reports its abort to the exchange at once,
      // which would otherwise answer too, as an upstream failure of the server
      this.expected = -1;
      this.answer(502, MESSAGES.badGateway, true, 'invalid upstream response header');
      this.stopUpstream('invalid upstream response header');
      return false;
    }
    if (compressWith !== undefined) this.startCompressor(createCompressor(compressWith, sizeHint));
    return true;
  }

  /** The compressed body flows compressor → client with pipe()'s backpressure; its bytes are what the log counts. */
  private startCompressor(compressor: Compressor): void {
    this.compressor = compressor;
    compressor.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
    compressor.once('end', () => this.finish(this.status, this.bytes, undefined));
    compressor.once('error', (error: Error) => this.internalError(error));
    compressor.pipe(this.request.res);
  }

  /** One chunk of the upstream's body; false pauses the upstream until the client drains. */
  protected relayData(chunk: Buffer): boolean {
    if (this.request.done) return false;
    const compressor = this.compressor;
    if (compressor !== undefined) {
      if (compressor.write(chunk)) return true;
      compressor.once('drain', this.resumeUpstream as () => void);
      return false;
    }
    const res = this.request.res;
    this.bytes += chunk.length;
    if (this.bytes === this.expected) {
      this.ended = true;
      // A small whole body goes out as a latin1 string (byte-exact): Node then sends the response head
      // and the body in one write() instead of a writev() of two buffers.
      if (this.bytes === chunk.length && chunk.length <= SINGLE_WRITE_MAX) res.end(chunk.toString('latin1'), 'latin1');
      else res.end(chunk);
      return true;
    }
    if (res.write(chunk)) return true;
    res.once('drain', this.resumeUpstream as () => void);
    return false;
  }

  /** The upstream's message ended. */
  protected relayComplete(): void {
    if (this.request.done) return;
    if (this.compressor !== undefined) {
      // the exchange finishes when the compressor has handed its last bytes to the client
      this.ended = true;
      this.compressor.end();
      return;
    }
    if (!this.ended) this.request.res.end();
    this.finish(this.status, this.bytes, undefined);
  }

  /** ForwardState: the client connection closed; stop the upstream exchange if it is still running. */
  clientClosed(): void {
    // Once the whole body went out with end(), 'close' is the response finishing, not the client leaving:
    // the upstream's end of message (already received, parsed next) finishes the exchange. A compressed
    // response finishes when its compressor ends; a close before that is the client leaving.
    if (this.request.done || (this.ended && this.compressor === undefined)) return;
    this.finish(499, this.bytes, 'client closed');
    if (this.compressor !== undefined) {
      // the compressed stream is cut: nothing more can be sent on this response, so its connection goes too
      this.compressor.destroy();
      this.request.res.destroy();
    }
    this.stopUpstream('client closed the connection');
  }

  /** The response already started: nothing more can be said, so the client connection goes. */
  protected cut(error: string): void {
    this.request.res.destroy();
    this.compressor?.destroy();
    this.finish(this.status, this.bytes, error);
  }

  protected answer(status: number, body: string, close: boolean, error: string): void {
    this.request.answer(status, body, close, error, this.serverName());
  }

  protected finish(status: number, bytes: number, error: string | undefined): void {
    this.request.finish(status, bytes, error, this.serverName());
  }
}
