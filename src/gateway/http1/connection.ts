/**
 * One client connection of the gateway's HTTP/1.1 server. Node's llhttp, strict, reads straight from the
 * socket's native handle (as node:http does), so request bytes reach JavaScript only as parser callbacks.
 * Requests may be pipelined: each gets its response at once, and responses go out in request order (a later
 * one holds its bytes until the earlier ones are done). Past a few waiting responses, or while the client
 * is not reading its answers, the parser stops after the current head (the bytes read past it wait) and
 * the socket is not read, so a flood of pipelined requests costs a bounded amount of memory. The
 * connection keeps the times the server's sweep needs for its timeouts, refuses malformed input through
 * the server's 'clientError', and hands an upgrade's socket over whole.
 */
import type { Socket } from 'node:net';
import { METHOD_NAMES, ON_BODY, ON_EXECUTE, ON_HEADERS, ON_HEADERS_COMPLETE, ON_MESSAGE_BEGIN, ON_MESSAGE_COMPLETE, PARSE_BODY, PAUSE, UPGRADE, closeWhenUnwound, consumeSocket, requestParser, type NativeHandle, type RequestParser } from './llhttp.js';
import { Http1Request, type BodySource } from './request.js';
import { Http1Response, type ResponseOwner } from './response.js';

/** Responses waiting behind the one being written, past which the connection stops reading. */
const MAX_QUEUED = 16;

/** What a connection needs of its server. */
export interface ConnectionHost {
  readonly maxHeaderSize: number;
  readonly keepAliveSeconds: number;
  onRequest(req: Http1Request, res: Http1Response): void;
  onUpgrade(req: Http1Request, socket: Socket, head: Buffer): void;
  onClientError(error: Error & { code?: string }, socket: Socket): void;
  connectionClosed(connection: Http1Connection): void;
}

export const enum Phase {
  /** Between requests: no byte of the next one yet. */
  Idle,
  /** Reading a request head (also a new connection before its first byte). */
  Head,
  /** A request is being answered (or its body read). */
  Busy,
}

export class Http1Connection implements ResponseOwner, BodySource {
  readonly socket: Socket;
  private readonly host: ConnectionHost;
  private readonly parser: RequestParser;
  private handle: NativeHandle | undefined;
  private readonly queue: Http1Response[] = [];
  /** The request whose body the parser is reading. */
  private reading: Http1Request | undefined;
  private headerParts: string[] = [];
  private urlParts = '';
  private upgrade: Http1Request | undefined;
  /** No more requests are read: the connection closes after the responses in the queue. */
  private closing = false;
  private paused = false;
  /** The parser was stopped after a head (PAUSE); `held` keeps the bytes read past it. */
  private parserPaused = false;
  private held: Buffer | undefined;
  /** Inside parser callbacks: resuming (which parses) must wait until the parser has returned. */
  private inParser = false;
  private resumeWanted = false;
  /** The client half-closed while the parser was stopped: handled once the held bytes are parsed. */
  private endPending = false;
  /** The body being read has more buffered than its reader wants. */
  private bodyFull = false;
  private released = false;
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
    if (this.released) return;
    if (result instanceof Error) {
      const paused = result as Error & { code?: string; bytesParsed?: number };
      if (paused.code === 'HPE_PAUSED' && this.parserPaused) {
        const bytes = data ?? this.parser.getCurrentBuffer();
        this.held = bytes.subarray(paused.bytesParsed ?? bytes.length);
      } else this.parseError(result);
    } else {
      const upgrade = this.upgrade;
      if (upgrade !== undefined) {
        const bytes = data ?? this.parser.getCurrentBuffer();
        this.handOver(upgrade, bytes.subarray(result));
        return;
      }
    }
    if (this.resumeWanted) {
      this.resumeWanted = false;
      this.resume();
    }
  }

  private readonly onMessageBegin = (): number => {
    this.inParser = true;
    if (this.phase === Phase.Idle) {
      this.phase = Phase.Head;
      this.since = Date.now();
    }
    return 0;
  };

  private readonly onHeaders = (headers: string[], url: string): number => {
    this.inParser = true;
    if (this.headerParts.length < 2000) for (const item of headers) this.headerParts.push(item);
    this.urlParts += url;
    return 0;
  };

  private readonly onHeadersComplete = (major: number, minor: number, headers: string[] | undefined, methodIndex: number, url: string | undefined, _status: unknown, _message: unknown, upgrade: boolean, keepAlive: boolean): number => {
    this.inParser = true;
    if (headers === undefined) {
      headers = this.headerParts;
      this.headerParts = [];
    }
    if (url === undefined) {
      url = this.urlParts;
      this.urlParts = '';
    }
    if (headers.length > 2000) headers.length = 2000;
    const method = METHOD_NAMES[methodIndex];
    if (this.closing || this.released) return PARSE_BODY;
    this.phase = Phase.Busy;
    if (method === undefined || method === 'CONNECT') {
      // node:http closes these too (PRI: an HTTP/2 preface on a plain port; CONNECT: no tunnels here)
      this.closing = true;
      this.socket.destroy();
      return PARSE_BODY;
    }
    const req = new Http1Request(this, this.socket, method, url, major, minor, headers);
    if (upgrade) {
      if (this.queue.length > 0) {
        this.closing = true;
        this.socket.destroy();
      } else this.upgrade = req;
      return UPGRADE;
    }
    this.reading = req;
    const res = new Http1Response(this, req, keepAlive);
    this.queue.push(res);
    if (!keepAlive) this.closing = true;
    // a client that sends requests faster than it reads answers is not read further until it catches up
    const stop = this.queue.length > MAX_QUEUED || this.socket.writableNeedDrain;
    if (stop) {
      this.pause();
      this.parserPaused = true;
    }
    const expect = minor >= 1 && major === 1 ? req.headers.expect : undefined;
    if (expect !== undefined && !/^100-continue$/i.test(expect)) {
      res.writeHead(417, { 'content-length': 0 });
      res.end();
    } else {
      if (expect !== undefined) res.writeContinue();
      this.host.onRequest(req, res);
    }
    return stop ? PAUSE : PARSE_BODY;
  };

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
    const req = this.reading;
    if (req === undefined) return 0;
    this.reading = undefined;
    req.complete = true;
    // a body ends now; a request without one ends when someone reads it (Http1Request._read)
    if (!req.dumped && (req.hasBody || req.readableFlowing === true)) req.push(null);
    if (this.queue.length === 0 && !this.closing) this.toIdle();
    return 0;
  };

  resumeBody(): void {
    this.bodyFull = false;
    this.resume();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.handle !== undefined) this.handle.readStop();
    else this.socket.pause();
  }

  /** Reads again unless a reason to wait remains: a full body, too many answers waiting, or unread output. */
  private resume(): void {
    if (!this.paused || this.released || this.bodyFull || this.queue.length > MAX_QUEUED || this.socket.writableNeedDrain) return;
    if (this.inParser) {
      this.resumeWanted = true;
      return;
    }
    this.paused = false;
    if (this.parserPaused) {
      this.parserPaused = false;
      this.parser.resume();
      const held = this.held;
      this.held = undefined;
      if (held !== undefined && held.length > 0) {
        this.inParser = true;
        this.afterExecute(this.parser.execute(held), held);
        if (this.paused || this.released) return;
      }
      if (this.endPending) {
        this.endPending = false;
        this.onEnd();
        return;
      }
    }
    if (this.handle !== undefined) this.handle.readStart();
    else this.socket.resume();
  }

  private parseError(error: Error & { code?: string }): void {
    this.closing = true;
    this.stopReading();
    const active = this.queue[0];
    if (active !== undefined) {
      if (active.started) {
        // a response is on its way: a refusal can't be written in between
        this.socket.destroy();
        return;
      }
      // the request's body turned out malformed before any answer: the answer in preparation is dropped
      const req = this.reading;
      this.reading = undefined;
      if (req !== undefined && !req.complete) req.destroy(Object.assign(new Error('malformed request body'), { code: error.code }));
      for (const response of this.queue) response.aborted();
      this.queue.length = 0;
    }
    this.host.onClientError(error, this.socket);
  }

  /** The client half-closed: a request cut short is a client error; otherwise the answers still go out. */
  private readonly onEnd = (): void => {
    if (this.released) return;
    if (this.parserPaused) {
      this.endPending = true;
      return;
    }
    const result = this.parser.finish();
    this.inParser = false;
    if (result instanceof Error) {
      this.parseError(result);
      return;
    }
    this.closing = true;
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
    if (!req.complete && !this.closing && response.shouldKeepAlive) {
      // the answer went out before the body was read: the rest is read and dropped
      req.dumped = true;
      this.bodyFull = false;
      this.resume();
    }
    if (!response.shouldKeepAlive || (this.closing && this.queue.length === 0)) {
      this.closing = true;
      this.queue.length = 0;
      this.stopReading();
      this.socket.destroySoon();
      return;
    }
    if (this.queue.length > 0) {
      this.resume();
      (this.queue[0] as Http1Response).activate();
    } else if (this.reading === undefined) this.toIdle();
  }

  private toIdle(): void {
    this.phase = Phase.Idle;
    this.since = Date.now();
    this.resume();
  }

  // ---- ending ----

  private stopReading(): void {
    if (this.released) return;
    this.released = true;
    if (this.handle !== undefined) {
      this.parser.unconsume();
      this.handle = undefined;
    }
    this.socket.removeListener('data', this.onData);
  }

  /** An upgrade (WebSocket): the socket, and the bytes read past the head, belong to the tunnel now. */
  private handOver(req: Http1Request, head: Buffer): void {
    this.upgrade = undefined;
    this.stopReading();
    this.socket.removeListener('close', this.onClose);
    this.socket.removeListener('end', this.onEnd);
    this.socket.removeListener('drain', this.onDrain);
    (this.socket as { readableFlowing: boolean | null }).readableFlowing = null; // what arrives next waits for the tunnel's reader
    this.host.connectionClosed(this);
    closeWhenUnwound(this.parser); // this runs inside the parser's own read callback
    req.complete = true;
    this.host.onUpgrade(req, this.socket, head);
  }

  private readonly onClose = (): void => {
    this.stopReading();
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
    if (headers && this.queue.length === 0 && !this.released) {
      this.closing = true;
      this.stopReading();
      this.host.onClientError(Object.assign(new Error('request headers took too long'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), this.socket);
      return;
    }
    this.socket.destroy();
  }
}

function noop(): void {}
