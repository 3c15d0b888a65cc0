/**
 * The response to one client request, written straight onto the client socket by the gateway's HTTP/1.1
 * server. It keeps the part of node:http's ServerResponse the gateway uses — setHeader/writeHead/write/end,
 * `headersSent`, 'drain', 'finish' and 'close', and the header checks that make writeHead throw — and
 * frames the body the way node:http does: the given Content-Length, else chunked for HTTP/1.1 (close-
 * delimited for HTTP/1.0), no body for HEAD, 1xx, 204 and 304. Pipelined responses wait their turn: a
 * response that is not yet at the head of its connection's queue keeps its bytes until it is.
 */
import { EventEmitter } from 'node:events';
import { STATUS_CODES, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Http1Request } from './request.js';
import { holdWrites } from './held-writes.js';

type Check = (value: string) => boolean;
/** node:http's own checks when `_http_common` has them (fast, no regex); its documented rules otherwise. */
function loadChecks(): { isToken: Check; hasInvalidChar: Check } {
  let common: { _checkIsHttpToken?: Check; _checkInvalidHeaderChar?: Check } = {};
  try {
    common = createRequire(import.meta.url)('_http_common') as typeof common;
  } catch {
    // a Node without the module: the rules below
  }
  return {
    isToken: typeof common._checkIsHttpToken === 'function' ? common._checkIsHttpToken : (value) => TOKEN.test(value),
    hasInvalidChar: typeof common._checkInvalidHeaderChar === 'function' ? common._checkInvalidHeaderChar : (value) => INVALID_CHAR.test(value),
  };
}
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
const { isToken, hasInvalidChar } = loadChecks();

/** Bytes a queued (pipelined) response holds before write() asks its writer to wait. */
const QUEUED_HIGH_WATER = 64 * 1024;

/** What a response needs of its connection. */
export interface ResponseOwner {
  readonly socket: Socket;
  /** Seconds announced in `Keep-Alive: timeout=`. */
  readonly keepAliveSeconds: number;
  /** The server is closing: a head built now says `Connection: close`. */
  readonly draining: boolean;
  /** Whether this response is at the head of the connection's queue (its bytes may go out). */
  isActive(response: Http1Response): boolean;
  /** Bytes went out (the connection is not inactive). */
  wrote(): void;
  /** The response is complete (or cut): the next one may go, or the connection closes. */
  responseDone(response: Http1Response): void;
  /** A 101 went out for the held upgrade: the socket and the bytes held after the upgrade's head leave the server. */
  switchProtocols(response: Http1Response): { socket: Socket; head: Buffer };
}

class HeaderError extends TypeError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

let dateCache = '';
let dateExpires = 0;
function httpDate(): string {
  const now = Date.now();
  if (now >= dateExpires) {
    dateCache = new Date(now).toUTCString();
    dateExpires = now - (now % 1000) + 1000;
  }
  return dateCache;
}

function checkHeader(name: string, value: unknown): void {
  if (typeof name !== 'string' || name === '' || !isToken(name)) throw new HeaderError('ERR_INVALID_HTTP_TOKEN', 'Header name must be a valid HTTP token');
  if (value === undefined) throw new HeaderError('ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value for header "${name}"`);
  if (hasInvalidChar(String(value))) throw new HeaderError('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
}

type Chunk = string | Buffer | Uint8Array;
/** A header name, or a value (a list: one line per item). */
type HeaderItem = string | number | readonly string[];
type Callback = (error?: Error | null) => void;

export class Http1Response extends EventEmitter {
  readonly req: Http1Request;
  readonly socket: Socket;
  statusCode = 200;
  /** Cleared to close the connection after this response (the gateway sets it while draining). */
  shouldKeepAlive: boolean;
  /** Set once writeHead ran (as node:http's `headersSent`): headers can no longer change. */
  headersSent = false;
  destroyed = false;
  /** end() was called. */
  finished = false;
  /** Bytes of the response proper (not a 100 Continue) went out, or wait in its queue. */
  started = false;
  private readonly owner: ResponseOwner;
  private stored: Map<string, [string, string | number | readonly string[]]> | undefined;
  /** The response head, until it is written. */
  private head = '';
  private hasBody = true;
  private chunked = false;
  private needDrain = false;
  /** Output held while the response waits for its turn (pipelining). */
  private queued: [Chunk, BufferEncoding | undefined][] | undefined;
  private queuedBytes = 0;
  private complete = false;

  constructor(owner: ResponseOwner, req: Http1Request, keepAlive: boolean) {
    super();
    this.owner = owner;
    this.req = req;
    this.socket = owner.socket;
    this.shouldKeepAlive = keepAlive;
  }

  get writable(): boolean {
    return !this.finished && !this.destroyed;
  }

  get writableEnded(): boolean {
    return this.finished;
  }

  get writableNeedDrain(): boolean {
    return this.needDrain;
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    if (this.headersSent) throw new HeaderError('ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client');
    checkHeader(name, Array.isArray(value) ? value.join('') : value);
    (this.stored ??= new Map()).set(name.toLowerCase(), [name, value]);
    return this;
  }

  getHeader(name: string): string | number | readonly string[] | undefined {
    return this.stored?.get(name.toLowerCase())?.[1];
  }

  removeHeader(name: string): void {
    if (this.headersSent) throw new HeaderError('ERR_HTTP_HEADERS_SENT', 'Cannot remove headers after they are sent to the client');
    this.stored?.delete(name.toLowerCase());
  }

  /**
   * Builds the head: `headers` is a flat [name, value, …] list (repeats kept) or an object; either
   * replaces setHeader() values of the same names. Throws, changing nothing, on a bad status or header.
   */
  writeHead(status: number, headers?: OutgoingHttpHeaders | readonly OutgoingHttpHeader[]): this {
    if (this.headersSent) throw new HeaderError('ERR_HTTP_HEADERS_SENT', 'Cannot write headers after they are sent to the client');
    if (!Number.isInteger(status) || status < 100 || status > 999) throw new HeaderError('ERR_HTTP_INVALID_STATUS_CODE', `Invalid status code: ${status}`);
    if (status === 101) throw new HeaderError('ERR_HTTP_INVALID_STATUS_CODE', 'A 101 goes out through switchProtocols(), which hands the socket over');
    // a flat list (the proxied path) is used as it is; an object is flattened
    let list: readonly HeaderItem[] = [];
    if (Array.isArray(headers)) list = headers as readonly HeaderItem[];
    else if (headers !== undefined) {
      const flat: HeaderItem[] = [];
      for (const name in headers) flat.push(name, (headers as Record<string, HeaderItem>)[name] as HeaderItem);
      list = flat;
    }
    if (this.stored !== undefined && this.stored.size > 0) {
      const given = new Set<string>();
      for (let i = 0; i < list.length; i += 2) given.add((list[i] as string).toLowerCase());
      const before: HeaderItem[] = [];
      for (const [lower, [name, value]] of this.stored) if (!given.has(lower)) before.push(name, value);
      list = [...before, ...list];
    }
    this.head = this.buildHead(status, list);
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }

  private buildHead(status: number, list: readonly HeaderItem[]): string {
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    let length = false;
    let transferEncoding: string | undefined;
    let connection: string | undefined;
    let date = false;
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i] as string;
      const value = list[i + 1];
      if (Array.isArray(value)) {
        for (const item of value) {
          checkHeader(name, item);
          head += `${name}: ${item}\r\n`;
        }
        continue;
      }
      checkHeader(name, value);
      const n = name.length;
      if (n === 14 || n === 17 || n === 10 || n === 4) {
        const lower = name.toLowerCase();
        if (lower === 'content-length') length = true;
        else if (lower === 'transfer-encoding') transferEncoding = String(value);
        else if (lower === 'connection') connection = String(value);
        else if (lower === 'date') date = true;
      }
      head += `${name}: ${value}\r\n`;
    }
    const req = this.req;
    this.hasBody = req.method !== 'HEAD' && status !== 204 && status !== 304 && status >= 200;
    let keepAlive = this.shouldKeepAlive && !this.owner.draining;
    if (connection !== undefined && /(?:^|[\s,])close(?:$|[\s,])/i.test(connection)) keepAlive = false;
    if (transferEncoding !== undefined) {
      this.chunked = /(?:^|[\s,])chunked\s*$/i.test(transferEncoding);
      if (!this.chunked) keepAlive = false; // the body ends when the connection does
    } else if (this.hasBody && !length) {
      if (req.httpVersionMinor >= 1) {
        this.chunked = true;
        head += 'Transfer-Encoding: chunked\r\n';
      } else keepAlive = false;
    }
    if (!this.hasBody) this.chunked = false;
    this.shouldKeepAlive = keepAlive;
    if (!date) head += `Date: ${httpDate()}\r\n`;
    if (connection === undefined) head += keepAlive ? `Connection: keep-alive\r\nKeep-Alive: timeout=${this.owner.keepAliveSeconds}\r\n\r\n` : 'Connection: close\r\n\r\n';
    else head += '\r\n';
    return head;
  }

  /**
   * Answers an upgrade request with `101 Switching Protocols` and the flat [name, value, …] `headers`, and
   * hands the socket over with the bytes the client sent after the upgrade's head (contract C1). The
   * server forgets the connection: no parser, no listeners, no timeouts. Throws, writing nothing, unless
   * this response answers an upgrade (`req.upgrade`) and nothing of it was written yet.
   */
  switchProtocols(headers: string[]): { socket: Socket; head: Buffer } {
    if (!this.req.upgrade || this.headersSent || this.started || this.destroyed || !this.owner.isActive(this)) {
      throw new HeaderError('ERR_HTTP_HEADERS_SENT', 'switchProtocols() answers an upgrade request before anything else is written');
    }
    let head = 'HTTP/1.1 101 Switching Protocols\r\n';
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      const value = headers[i + 1];
      checkHeader(name, value);
      head += `${name}: ${value as string}\r\n`;
    }
    const handed = this.owner.switchProtocols(this);
    this.statusCode = 101;
    this.headersSent = true;
    this.started = true;
    this.finished = true;
    this.complete = true;
    handed.socket.write(`${head}\r\n`, 'latin1');
    this.emit('finish');
    process.nextTick(emitClose, this);
    return handed;
  }

  /** `100 Continue` before the response proper (Expect: 100-continue). */
  writeContinue(): void {
    if (!this.headersSent) this.output('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
  }

  write(chunk: Chunk, encoding?: BufferEncoding | Callback, callback?: Callback): boolean {
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    if (this.finished || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const ok = this.body(chunk, encoding, false);
    if (callback !== undefined) process.nextTick(callback);
    return ok;
  }

  end(chunk?: Chunk | Callback, encoding?: BufferEncoding | Callback, callback?: Callback): this {
    if (typeof chunk === 'function') [callback, chunk] = [chunk, undefined];
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    if (this.finished || this.destroyed) return this;
    if (!this.headersSent) {
      // a whole body given at once: sent with its length rather than chunked
      if (chunk !== undefined && this.getHeader('content-length') === undefined && this.getHeader('transfer-encoding') === undefined) {
        this.setHeader('content-length', typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.byteLength);
      }
      this.writeHead(this.statusCode);
    }
    this.finished = true;
    this.body(chunk, encoding, true);
    if (callback !== undefined) this.once('finish', callback);
    if (this.owner.isActive(this)) this.done();
    return this;
  }

  /** Body bytes, framed; the head goes out with the first of them. */
  private body(chunk: Chunk | undefined, encoding: BufferEncoding | undefined, last: boolean): boolean {
    this.started = true;
    const head = this.head;
    this.head = '';
    const size = chunk === undefined || !this.hasBody ? 0 : typeof chunk === 'string' ? (encoding === 'latin1' ? chunk.length : Buffer.byteLength(chunk, encoding)) : chunk.byteLength;
    if (!this.chunked) {
      if (size === 0) return head === '' ? true : this.output(head, 'latin1');
      if (head === '') return this.output(chunk as Chunk, encoding);
      // the head and a latin1 body in one string; otherwise the held writes go out as one writev()
      if (typeof chunk === 'string' && encoding === 'latin1') return this.output(head + chunk, 'latin1');
      this.output(head, 'latin1');
      return this.output(chunk as Chunk, encoding);
    }
    if (size === 0) {
      const tail = last ? '0\r\n\r\n' : '';
      return head === '' && tail === '' ? true : this.output(head + tail, 'latin1');
    }
    const prefix = `${head}${size.toString(16)}\r\n`;
    if (typeof chunk === 'string' && encoding === 'latin1') return this.output(`${prefix}${chunk}\r\n${last ? '0\r\n\r\n' : ''}`, 'latin1');
    this.output(prefix, 'latin1');
    this.output(chunk as Chunk, encoding);
    return this.output(last ? '\r\n0\r\n\r\n' : '\r\n', 'latin1');
  }

  /** Onto the socket when this response's turn has come (held to the end of the loop's turn), else into its queue. */
  private output(data: Chunk, encoding: BufferEncoding | undefined): boolean {
    if (this.destroyed) return false;
    if (this.queued === undefined && this.owner.isActive(this)) {
      this.owner.wrote();
      holdWrites(this.socket);
      const ok = this.socket.write(data, encoding as BufferEncoding);
      if (!ok) this.needDrain = true;
      return ok;
    }
    (this.queued ??= []).push([data, encoding]);
    this.queuedBytes += typeof data === 'string' ? data.length : data.byteLength;
    if (this.queuedBytes < QUEUED_HIGH_WATER) return true;
    this.needDrain = true;
    return false;
  }

  /** This response's turn has come: its held bytes go out, and it completes if it has ended. */
  activate(): void {
    const queued = this.queued;
    if (queued !== undefined) {
      this.queued = undefined;
      this.queuedBytes = 0;
      holdWrites(this.socket); // one writev at the end of the turn
      let ok = true;
      for (const [data, encoding] of queued) ok = this.socket.write(data, encoding as BufferEncoding);
      if (ok) this.drained();
      else this.needDrain = true;
    }
    if (this.finished) this.done();
  }

  /** The socket took everything written so far. */
  drained(): void {
    if (!this.needDrain) return;
    this.needDrain = false;
    this.emit('drain');
  }

  private done(): void {
    if (this.complete) return;
    this.complete = true;
    this.owner.responseDone(this);
    this.emit('finish');
    process.nextTick(emitClose, this);
  }

  /** The connection closed before this response completed. */
  aborted(): void {
    if (this.complete || this.destroyed) return;
    this.destroyed = true;
    this.complete = true;
    process.nextTick(emitClose, this);
  }

  destroy(): this {
    if (!this.destroyed) {
      this.aborted();
      this.destroyed = true;
      this.socket.destroy();
    }
    return this;
  }
}

function emitClose(response: Http1Response): void {
  response.emit('close');
}
