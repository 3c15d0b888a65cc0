/**
 * One client connection of the gateway's HTTP/1.1 server. Node's llhttp, strict, reads straight from the
 * socket's native handle (as node:http does), so request bytes reach JavaScript only as parser callbacks.
 *
 * Every message is attributed to exactly one request. The pieces of a head live in a `HeadParts` created
 * when the message begins and dropped when its head is complete; a chunked body's trailer fields are kept
 * on their own request (`rawTrailers`) and never merged into a head. Anything the connection cannot
 * attribute to one message (a malformed head or body, an HTTP version other than 1.x, too many fields, a
 * Transfer-Encoding other than one `chunked`, a bad upgrade) ends the input: the answers to the requests before it go out in order, then the refusal
 * (a 'clientError'), then the connection closes. Bytes after a request that ends the connection
 * (`Connection: close`, HTTP/1.0) are read and discarded.
 *
 * Requests may be pipelined: each gets its response at once, and responses go out in request order (a later
 * one holds its bytes until the earlier ones are done). Past a few waiting responses, or while the client
 * is not reading its answers, the parser stops after the current head (the bytes read past it wait) and
 * the socket is not read. An upgrade request (contract C1) stops the parser after its head too: the bytes
 * after it wait for its answer, and it is handed to the server only once it is the oldest request.
 */
import type { Socket } from 'node:net';
import { METHOD_NAMES, ON_BODY, ON_EXECUTE, ON_HEADERS, ON_HEADERS_COMPLETE, ON_MESSAGE_BEGIN, ON_MESSAGE_COMPLETE, PARSE_BODY, PAUSE, UPGRADE, closeWhenUnwound, consumeSocket, requestParser, restartRequestParser, type NativeHandle, type RequestParser } from './llhttp.js';
import { Http1Request, type BodySource } from './request.js';
import { Http1Response, type ResponseOwner } from './response.js';
import { HeadParts, fieldsRefusal, headRefusal, transferEncodingRefusal, upgradeRefusal, type ClientError } from './request-head.js';

/** Responses waiting behind the one being written, past which the connection stops reading. */
const MAX_QUEUED = 16;
const NOTHING = Buffer.alloc(0);
const CONTINUE = /^100-continue$/i;

/** What a connection needs of its server. */
export interface ConnectionHost {
  readonly maxHeaderSize: number;
  readonly maxHeaderFields: number;
  readonly keepAliveSeconds: number;
  /** The server is closing: every response head from now on says `Connection: close`. */
  readonly draining: boolean;
  onRequest(req: Http1Request, res: Http1Response): void;
  onClientError(error: Error & { code?: string }, socket: Socket): void;
  connectionClosed(connection: Http1Connection): void;
}

/** The connection as the server's timeout sweep sees it. */
export const enum Phase {
  /** Between requests: no byte of the next one yet. */
  Idle,
  /** Reading a request head (also a new connection before its first byte). */
  Head,
  /** A request is being answered (or its body read). */
  Busy,
}

/** What the connection does with the bytes the client sends. */
const enum Input {
  /** Requests are parsed as they arrive. */
  Open,
  /** The parser stopped after a head (answers waiting): `held` keeps the bytes read past it. */
  Held,
  /** The parser stopped after an upgrade's head: `held` waits for its answer (switchProtocols or not). */
  UpgradeHeld,
  /** The message being read is the last (Connection: close, HTTP/1.0): its body is read, what follows is discarded. */
  Last,
  /** Nothing more is parsed; what arrives is discarded (the parser is detached from the socket). */
  Ended,
}

/** Where the parser is within the current message. */
const enum Part {
  Between,
  Head,
  Body,
}

export class Http1Connection implements ResponseOwner, BodySource {
  readonly socket: Socket;
  private readonly host: ConnectionHost;
  private readonly parser: RequestParser;
  private handle: NativeHandle | undefined;
  private readonly queue: Http1Response[] = [];
  private input = Input.Open;
  private part = Part.Between;
  /** The pieces of the head being parsed, when it comes in pieces; belongs to that message only. */
  private parts: HeadParts | undefined;
  /** The request whose body the parser is reading. */
  private reading: Http1Request | undefined;
  /** The parser was told to stop after the current head: what follows it is to be held. */
  private cut = false;
  private held: Buffer | undefined;
  /** The held bytes follow an upgrade answered as HTTP: the parser starts afresh on them. */
  private restart = false;
  /** An upgrade's response waiting to be handed to the server: until the parser returns, and the answers before it are done. */
  private waiting: Http1Response | undefined;
  /** Input found bad inside a parser callback, acted on once the parser has returned. */
  private refusing: ClientError | undefined;
  /** A refusal waiting for the answers ahead of it; the connection closes after it. */
  private refusal: ClientError | undefined;
  /** The socket is not to be read (a full body, answers waiting, unread output, an upgrade's answer pending). */
  private paused = false;
  /** The socket's reads are stopped (handle.readStop or socket.pause): also while held bytes are parsed on resuming. */
  private stopped = false;
  /** Inside parser callbacks: resuming (which parses) must wait until the parser has returned. */
  private inParser = false;
  private resumeWanted = false;
  /** The client half-closed while the parser was stopped: handled once the held bytes are parsed. */
  private endPending = false;
  /** The body being read has more buffered than its reader wants. */
  private bodyFull = false;
  phase = Phase.Head;
  /** When the current phase began (ms). */
  since: number;
  /** Last byte read or written (ms). */
  lastActive: number;

  constructor(host: ConnectionHost, socket: Socket) {
    this.host = host;
    this.socket = socket;
    this.since = this.lastActive = Date.now();
    const parser = requestParser(host.maxHeaderSize);
    this.parser = parser;
    parser[ON_MESSAGE_BEGIN] = this.onMessageBegin;
    parser[ON_HEADERS] = this.onHeaders;
    parser[ON_HEADERS_COMPLETE] = this.onHeadersComplete;
    parser[ON_BODY] = this.onBody;
    parser[ON_MESSAGE_COMPLETE] = this.onMessageComplete;
    parser[ON_EXECUTE] = this.onExecute;
    socket.setNoDelay(true);
    socket.on('error', noop); // 'close' follows
    socket.on('close', this.onClose);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    this.handle = consumeSocket(parser, socket);
    // consumed, the handle's bytes go to the parser; the listener keeps the socket flowing so that 'end' comes
    socket.on('data', this.onData);
  }

  get keepAliveSeconds(): number {
    return this.host.keepAliveSeconds;
  }

  get draining(): boolean {
    return this.host.draining;
  }

  /**
   * Nothing in progress: closing it loses nothing (a connection that never sent a byte counts too). An
   * answer still in the socket's buffer (a client reading slowly) is in progress.
   */
  get idle(): boolean {
    return this.queue.length === 0 && this.socket.writableLength === 0 && (this.phase === Phase.Idle || (this.phase === Phase.Head && this.socket.bytesRead === 0));
  }

  wrote(): void {
    this.lastActive = Date.now();
  }

  isActive(response: Http1Response): boolean {
    return this.queue[0] === response;
  }

  // ---- reading ----

  private readonly onData = (data: Buffer): void => {
    this.afterExecute(this.parser.execute(data), data);
  };

  private readonly onExecute = (result: number | Error): void => {
    this.afterExecute(result, undefined);
  };

  private afterExecute(result: number | Error, data: Buffer | undefined): void {
    this.inParser = false;
    this.lastActive = Date.now();
    if (this.input === Input.Ended) return;
    if (data === undefined && !this.cut && (this.input === Input.Held || this.input === Input.UpgradeHeld)) {
      this.strayRead();
      return;
    }
    const refusing = this.refusing;
    if (refusing !== undefined) {
      this.refusing = undefined;
      this.cut = false;
      this.refuse(refusing);
      return;
    }
    if (this.cut) {
      // stopped after a head (a pause, or an upgrade): what was read past it waits
      this.cut = false;
      const bytes = data ?? this.parser.getCurrentBuffer();
      const at = typeof result === 'number' ? result : ((result as Error & { bytesParsed?: number }).bytesParsed ?? bytes.length);
      this.held = bytes.subarray(at);
      const waiting = this.waiting;
      if (waiting !== undefined && this.queue[0] === waiting) {
        this.waiting = undefined;
        this.dispatch(waiting);
      }
    } else if (result instanceof Error) {
      // after a request that ends the connection, llhttp refuses any further byte: they are discarded
      if ((result as Error & { code?: string }).code === 'HPE_CLOSED_CONNECTION') this.endInput();
      else this.refuse(result as ClientError);
      return;
    }
    if (this.resumeWanted) {
      this.resumeWanted = false;
      this.resume();
    }
  }

  /**
   * A read that reached the parser after the input was cut and the handle told to stop: a TLS handle
   * (TLSWrap) decrypts every record of one TCP read and hands each to the parser as a read of its own,
   * readStop() or not. These bytes follow the held ones and wait with them, in order. Whatever the parser
   * made of them counts for nothing: stopped by a pause it took none (llhttp keeps the pause); stopped after
   * an upgrade's head it parsed them as a message of its own (its callbacks create no request while the
   * input is held), and it starts afresh before the held bytes are parsed (or is closed by a 101, which
   * hands them on with the rest). Before, they were dropped: the held bytes and the next read were then
   * parsed as one stream, splicing two parts of the client's input into one message.
   */
  private strayRead(): void {
    const bytes = this.parser.getCurrentBuffer();
    const held = this.held;
    this.held = held === undefined || held.length === 0 ? bytes : Buffer.concat([held, bytes]);
    this.refusing = undefined;
  }

  private readonly onMessageBegin = (): number => {
    this.inParser = true;
    this.part = Part.Head;
    this.parts = undefined;
    if (this.phase === Phase.Idle) {
      this.phase = Phase.Head;
      this.since = Date.now();
    }
    return 0;
  };

  /** Pieces of a long head, or a chunked body's trailer fields (llhttp reports both here). */
  private readonly onHeaders = (headers: string[], url: string): number => {
    this.inParser = true;
    if (this.part === Part.Head) (this.parts ??= new HeadParts()).add(headers, url, this.host.maxHeaderFields);
    else if (this.part === Part.Body) this.trailers(headers);
    else this.refusing ??= Object.assign(new Error('header fields outside any message'), { code: 'HPE_INVALID_HEADER_TOKEN' });
    return 0;
  };

  /** Trailer fields belong to the request whose body they end; they are never part of a head. */
  private trailers(fields: string[]): void {
    const req = this.reading;
    if (req === undefined) return;
    const refusal = fieldsRefusal((req.rawTrailers.length + fields.length) / 2, this.host.maxHeaderFields);
    if (refusal !== undefined) this.refusing ??= refusal;
    else req.rawTrailers = req.rawTrailers.length === 0 ? fields : [...req.rawTrailers, ...fields];
  }

  private readonly onHeadersComplete = (major: number, minor: number, headers: string[] | undefined, methodIndex: number, url: string | undefined, _status: unknown, _message: unknown, upgrade: boolean, keepAlive: boolean): number => {
    this.inParser = true;
    this.part = Part.Body;
    const parts = this.parts;
    this.parts = undefined;
    if (this.input !== Input.Open || this.refusing !== undefined) return PAUSE;
    if (headers === undefined) headers = parts === undefined ? [] : parts.fields;
    if (url === undefined) url = parts === undefined ? '' : parts.url;
    const method = METHOD_NAMES[methodIndex];
    const fields = parts !== undefined && parts.tooMany ? Infinity : headers.length / 2;
    const refusal = headRefusal(major, fields, this.host.maxHeaderFields, method) ?? transferEncodingRefusal(headers, minor) ?? (upgrade ? upgradeRefusal(headers, minor, keepAlive) : undefined);
    if (refusal !== undefined) {
      this.refusing = refusal;
      return PAUSE;
    }
    this.phase = Phase.Busy;
    const req = new Http1Request(this, this.socket, method as string, url, major, minor, headers);
    const res = new Http1Response(this, req, keepAlive);
    this.queue.push(res);
    if (upgrade) {
      // the bytes after an upgrade's head wait for its answer, unread and unparsed
      // it has no body (upgradeRefusal): complete now, so nothing the parser reads later can become its body
      req.upgrade = true;
      req.complete = true;
      this.input = Input.UpgradeHeld;
      this.cut = true;
      this.pause();
      // handed to the server once the parser has returned (the held bytes are known then) and it is the oldest
      this.waiting = res;
      return UPGRADE;
    }
    this.reading = req;
    if (!keepAlive) this.input = Input.Last;
    // a client that sends requests faster than it reads answers is not read further until it catches up
    const stop = this.input === Input.Open && (this.queue.length > MAX_QUEUED || this.socket.writableNeedDrain);
    if (stop) {
      this.pause();
      this.input = Input.Held;
      this.cut = true;
    }
    this.dispatch(res);
    return stop ? PAUSE : PARSE_BODY;
  };

  private dispatch(res: Http1Response): void {
    const req = res.req;
    const expect = req.httpVersionMinor >= 1 ? req.headers.expect : undefined;
    if (expect !== undefined && !CONTINUE.test(expect)) {
      res.writeHead(417, { 'content-length': 0 });
      res.end();
    } else {
      if (expect !== undefined) res.writeContinue();
      this.host.onRequest(req, res);
    }
  }

  private readonly onBody = (chunk: Buffer): number => {
    this.inParser = true;
    const req = this.reading;
    if (req === undefined || req.dumped || req.destroyed) return 0;
    req.hasBody = true;
    if (!req.push(chunk)) {
      this.bodyFull = true;
      this.pause();
    }
    return 0;
  };

  private readonly onMessageComplete = (): number => {
    this.inParser = true;
    this.part = Part.Between;
    const req = this.reading;
    // a refused trailer section: the request stays incomplete, and refuse() drops it with its answer
    if (req === undefined || this.refusing !== undefined) return 0;
    this.reading = undefined;
    req.complete = true;
    // a body ends now; a request without one ends when someone reads it (Http1Request._read)
    if (!req.dumped && (req.hasBody || req.readableFlowing === true)) req.push(null);
    if (this.queue.length === 0 && this.input === Input.Open) this.toIdle();
    return 0;
  };

  resumeBody(): void {
    this.bodyFull = false;
    this.resume();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.stopped) return;
    this.stopped = true;
    if (this.handle !== undefined) this.handle.readStop();
    else this.socket.pause();
  }

  /** Reads again unless a reason to wait remains: a full body, too many answers waiting, unread output, an upgrade's answer. */
  private resume(): void {
    if (!this.paused || this.input === Input.Ended || this.input === Input.UpgradeHeld || this.bodyFull || this.queue.length > MAX_QUEUED || this.socket.writableNeedDrain) return;
    if (this.inParser) {
      this.resumeWanted = true;
      return;
    }
    this.paused = false;
    if (this.input === Input.Held) {
      this.input = Input.Open;
      if (this.restart) {
        // after an upgrade's head llhttp expects the other protocol; these bytes are HTTP
        this.restart = false;
        this.part = Part.Between;
        restartRequestParser(this.parser, this.host.maxHeaderSize);
      } else this.parser.resume();
      const held = this.held;
      this.held = undefined;
      if (held !== undefined && held.length > 0) {
        this.inParser = true;
        this.afterExecute(this.parser.execute(held), held);
        if (this.paused || (this.input as Input) === Input.Ended) return;
      }
      if (this.endPending) {
        this.endPending = false;
        this.onEnd();
        return;
      }
    }
    this.stopped = false;
    if (this.handle !== undefined) this.handle.readStart();
    else this.socket.resume();
  }

  /**
   * The client sent something that cannot be one well-formed message. The request whose body was being read
   * (if it is the culprit) loses its answer; the answers before it still go out, then the refusal.
   */
  private refuse(error: ClientError): void {
    this.endInput();
    const req = this.reading;
    this.reading = undefined;
    if (req !== undefined) {
      if (!req.complete) req.destroy(Object.assign(new Error('malformed request'), { code: error.code }));
      const last = this.queue[this.queue.length - 1];
      if (last !== undefined && last.req === req) {
        if (last.started && this.isActive(last)) {
          // its answer is on its way: a refusal can't be written into it
          this.socket.destroy();
          return;
        }
        this.queue.pop();
        if (this.waiting === last) this.waiting = undefined;
        last.aborted();
      }
    }
    if (this.queue.length === 0) this.host.onClientError(error, this.socket);
    else this.refusal = error;
  }

  /** The client half-closed: a request cut short is a client error; otherwise the answers still go out. */
  private readonly onEnd = (): void => {
    if (this.input === Input.Ended) return;
    if (this.input === Input.Held || this.input === Input.UpgradeHeld) {
      this.endPending = true;
      return;
    }
    const result = this.parser.finish();
    this.inParser = false;
    if (result instanceof Error) {
      this.refuse(result as ClientError);
      return;
    }
    this.endInput();
    if (this.queue.length === 0) this.socket.destroySoon();
  };

  // ---- writing ----

  private readonly onDrain = (): void => {
    this.lastActive = Date.now();
    this.queue[0]?.drained();
    this.resume();
  };

  responseDone(response: Http1Response): void {
    if (this.queue[0] !== response) return;
    this.queue.shift();
    this.lastActive = Date.now();
    const req = response.req;
    if (!req.complete && this.input !== Input.Ended && this.input !== Input.Last && response.shouldKeepAlive) {
      // the answer went out before the body was read: the rest is read and dropped
      req.dumped = true;
      this.bodyFull = false;
      this.resume();
    }
    if (!response.shouldKeepAlive || (this.queue.length === 0 && (this.input === Input.Ended || this.input === Input.Last))) {
      if (this.queue.length === 0 && this.refusal !== undefined && response.shouldKeepAlive) {
        this.host.onClientError(this.refusal, this.socket);
        return;
      }
      this.close();
      return;
    }
    if (req.upgrade && this.input === Input.UpgradeHeld) {
      // an upgrade answered as HTTP: the bytes after its head are the next request(s)
      this.input = Input.Held;
      this.restart = true;
    }
    const next = this.queue[0];
    if (next !== undefined) {
      this.resume();
      next.activate();
      if (next === this.waiting) {
        this.waiting = undefined;
        this.dispatch(next);
      }
    } else if (this.reading === undefined) this.toIdle();
  }

  private toIdle(): void {
    this.phase = Phase.Idle;
    this.since = Date.now();
    this.resume();
  }

  /**
   * The upgrade's answer is 101 (contract C1): the socket leaves the server with the bytes held after the
   * upgrade's head. Throws unless `response` answers the upgrade the connection is holding.
   */
  switchProtocols(response: Http1Response): { socket: Socket; head: Buffer } {
    if (this.input !== Input.UpgradeHeld || this.queue.length !== 1 || this.queue[0] !== response) throw new Error('switchProtocols: this response does not answer a held upgrade');
    const head = this.held ?? NOTHING;
    this.held = undefined;
    this.queue.length = 0;
    this.endInput(false);
    const socket = this.socket;
    socket.removeListener('close', this.onClose);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('drain', this.onDrain);
    (socket as { readableFlowing: boolean | null }).readableFlowing = null; // what arrives next waits for the new owner's reader
    this.host.connectionClosed(this);
    closeWhenUnwound(this.parser); // this may run inside one of the parser's callbacks
    return { socket, head };
  }

  // ---- ending ----

  /**
   * Nothing more is parsed: the parser lets go of the socket. What the client sends next is read and
   * discarded (`discard`), or left for the socket's next owner (an upgrade). Unread bytes would also make
   * the close a reset, which can cost the client the answers before it.
   */
  private endInput(discard = true): void {
    if (this.input === Input.Ended) return;
    this.input = Input.Ended;
    this.held = undefined;
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) {
      this.parser.unconsume();
      // stopped behind the socket's back, which still counts it as reading: reading resumes, and what comes
      // is the socket's own data now (discarded, or buffered for the new owner's reader)
      if (this.stopped) handle.readStart();
    } else if (this.stopped && discard) this.socket.resume();
    this.stopped = false;
    this.paused = false;
    this.socket.removeListener('data', this.onData);
  }

  private close(): void {
    this.endInput();
    for (const response of this.queue) response.aborted();
    this.queue.length = 0;
    this.socket.destroySoon();
  }

  private readonly onClose = (): void => {
    this.endInput();
    closeWhenUnwound(this.parser);
    const req = this.reading;
    this.reading = undefined;
    if (req !== undefined && !req.complete) req.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    for (const response of this.queue) response.aborted();
    this.queue.length = 0;
    this.host.connectionClosed(this);
  };

  /** The server's timeouts: a 408 for a head that took too long, else just closed. */
  timedOut(headers: boolean): void {
    if (headers && this.queue.length === 0 && this.input !== Input.Ended) {
      this.endInput();
      this.host.onClientError(Object.assign(new Error('request headers took too long'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), this.socket);
      return;
    }
    this.socket.destroy();
  }
}

function noop(): void {}
