/**
 * The response to an HTTP/2 request (ClientResponse) on node:http2's core stream API: writeHead() is one
 * stream.respond() (a flat header list goes to nghttp2 as it is, in its order; an object as node:http2's
 * compatibility layer would send it), write()/end() are the stream's. Differences from the compatibility
 * layer, none visible to a backend: a response ends with its last DATA frame (END_STREAM on it) or on its
 * HEADERS frame when it has no body, where the compatibility layer always asked for trailers and sent an
 * empty DATA frame to end the stream.
 *
 * What the layer did and this keeps: a `connection` header is dropped (HTTP/2 has none), other connection-
 * specific ones make respond() throw (the relay answers 502); `date` is added; no body is written after a
 * HEAD, 204 or 304 head (respond() ended the stream); 'drain', 'finish' and 'close' are emitted from the
 * stream's, 'close' once the stream closed for any reason (the request path's client-gone signal);
 * destroy() resets the stream (RST_STREAM), with INTERNAL_ERROR where the layer said NO_ERROR (below).
 */
import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import { constants, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { ClientRequest } from '../http1/index.js';

const kResponse = Symbol('gatehouse.http2.response');
type TaggedStream = ServerHttp2Stream & { [kResponse]?: Http2Response };

/** The stream's listeners, shared by every response (the stream points to its response): none per request. */
function onStreamDrain(this: TaggedStream): void {
  this[kResponse]?.emit('drain');
}

function onStreamClose(this: TaggedStream): void {
  const res = this[kResponse];
  if (res === undefined) return;
  this[kResponse] = undefined;
  res.emit('finish');
  res.emit('close');
}

export class Http2Response extends EventEmitter {
  readonly stream: ServerHttp2Stream;
  readonly req: ClientRequest;
  statusCode = 200;
  /** HTTP/1.x only: HTTP/2 keeps its session (a drain sends GOAWAY instead). */
  shouldKeepAlive = true;
  /** Headers set before writeHead() (local answers: the request ID). */
  private pending: Record<string, number | string | readonly string[]> | undefined;
  private ending = false;
  private destroyCalled = false;

  constructor(stream: ServerHttp2Stream, req: ClientRequest) {
    super();
    this.stream = stream;
    this.req = req;
    (stream as TaggedStream)[kResponse] = this;
    stream.on('drain', onStreamDrain);
    stream.on('close', onStreamClose);
  }

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  get destroyed(): boolean {
    return this.stream.destroyed;
  }

  get writableEnded(): boolean {
    return this.ending;
  }

  /** The connection's socket while the stream is open (as the compatibility layer: none after). */
  get socket(): Socket | null {
    const stream = this.stream;
    return stream.destroyed || stream.closed ? null : (stream.session?.socket as Socket | undefined) ?? null;
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    (this.pending ??= {})[name.toLowerCase()] = value;
    return this;
  }

  removeHeader(name: string): void {
    if (this.pending !== undefined) delete this.pending[name.toLowerCase()];
  }

  writeHead(status: number, headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    this.statusCode = status;
    this.respond(headers, false);
    return this;
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean {
    const stream = this.stream;
    if (!stream.headersSent) this.respond(undefined, false);
    if (this.ending || stream.writableEnded || stream.destroyed) return false;
    return typeof encoding === 'function' ? stream.write(chunk, encoding) : stream.write(chunk, encoding as BufferEncoding, callback);
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void), callback?: () => void): this {
    const done = typeof chunk === 'function' ? chunk : typeof encoding === 'function' ? encoding : callback;
    if (done !== undefined) this.once('finish', done);
    if (this.ending) return this;
    this.ending = true;
    const stream = this.stream;
    const body = typeof chunk === 'function' || chunk === undefined || chunk === null || chunk.length === 0 ? undefined : chunk;
    if (!stream.headersSent) {
      if (stream.destroyed || stream.closed) return this;
      // no body: the HEADERS frame ends the stream
      this.respond(undefined, body === undefined);
    }
    if (stream.writableEnded || stream.destroyed) return this; // HEAD, 204, 304: respond() ended it
    if (body === undefined) stream.end();
    else if (typeof encoding === 'string') stream.end(body, encoding);
    else stream.end(body);
    return this;
  }

  /**
   * A response cut short (upstream failure mid-body, an internal error, the client gone): RST_STREAM with
   * INTERNAL_ERROR. destroy() alone resets with NO_ERROR, which a client reads as the end of a complete
   * response (node:http2's client ends the stream cleanly); the compatibility layer sent that.
   */
  destroy(error?: Error): this {
    // after end() the whole response is the stream's: nothing is cut (a second local answer for one
    // request, when an upstream failure was answered first, ends here)
    if (this.destroyCalled || this.ending) return this;
    this.destroyCalled = true;
    const stream = this.stream;
    if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    stream.destroy(error);
    return this;
  }

  /** One HEADERS frame: `:status`, the pending headers `headers` does not name, then `headers`. */
  private respond(headers: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined, endStream: boolean): void {
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    const list: Array<string | number | readonly string[]> = [':status', this.statusCode];
    const pending = this.pending;
    if (pending !== undefined) {
      for (const name in pending) if (!names(headers, name)) append(list, name, pending[name]);
    }
    if (Array.isArray(headers)) {
      for (let i = 0; i < headers.length; i += 2) append(list, headers[i] as string, headers[i + 1] as string);
    } else if (headers !== undefined) {
      for (const name in headers) append(list, name, headers[name]);
    }
    // throws on a head nghttp2 cannot send (the relay answers 502): the pending headers stay for that answer
    stream.respond(list as unknown as OutgoingHttpHeaders, endStream ? END_STREAM : undefined);
    this.pending = undefined;
  }
}

const END_STREAM = Object.freeze({ endStream: true });

/** Adds a field (each value of a list), except `connection`: HTTP/2 has none (the compatibility layer dropped it too). */
function append(list: Array<string | number | readonly string[]>, name: string, value: number | string | readonly string[] | undefined): void {
  if (value === undefined || (name.length === 10 && name.toLowerCase() === 'connection')) return;
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) list.push(name, String(value[i]));
  else list.push(name, value as string | number);
}

/** Whether a head given to writeHead() names this (lower-case) field. */
function names(headers: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined, name: string): boolean {
  if (headers === undefined) return false;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return true;
    return false;
  }
  for (const key in headers) if (key.toLowerCase() === name) return true;
  return false;
}
