/**
 * The gateway's HTTP/1.1 server, for plain frontends and for the HTTP/1.1 connections of TLS ones. It
 * replaces node:http's server side, which
 * cost as much CPU per proxied request as the rest of the gateway (docs/benchmarks.md), and keeps the part of
 * its behaviour the gateway relies on: the same strict llhttp parser and header limit, node:http's events
 * ('connection', 'request', 'clientError'), Expect: 100-continue, pipelining, keep-alive, the
 * headers timeout (408), the keep-alive timeout, an inactivity timeout, and close() with
 * closeIdleConnections()/closeAllConnections(). The timeouts are checked by one sweep per server (at
 * a quarter of the shortest), never by a timer per request.
 *
 * It either listens itself (plain frontends: a net.Server of its own), or adopts sockets someone else
 * accepted (`adopt: true`, then `accept(socket)`): a TLS frontend's listener hands it every connection that
 * negotiated `http/1.1` (or no ALPN), as a TLSSocket whose native handle (TLSWrap) the parser reads as it
 * reads a TCP handle (src/gateway/tls/tls-frontend-server.ts). Both ways the connections share the same
 * timeout sweep, drain and closeIdleConnections()/closeAllConnections().
 *
 * An upgrade is an ordinary 'request' with `req.upgrade` true (contract C1): `res.switchProtocols()` hands
 * the socket over, any other answer keeps the connection HTTP. There is no 'upgrade' event.
 */
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type ListenOptions, type Server, type Socket } from 'node:net';
import { Http1Connection, Phase, type ConnectionHost } from './connection.js';
import type { Http1Request } from './request.js';
import type { Http1Response } from './response.js';
import { nativeParserMissing } from './native.js';

/** Header fields a request head (or trailer section) may have, as HAProxy's `tune.http.maxhdr` default. */
export const DEFAULT_MAX_HEADER_FIELDS = 101;

export interface Http1ServerOptions {
  /** Largest request head, in bytes (431 above it). */
  readonly maxHeaderSize: number;
  /** Most header fields in a request head or trailer section: more is refused (400), never truncated. Default 101. */
  readonly maxHeaderFields?: number | undefined;
  /** No listener of its own: connections come from `accept()` (a TLS listener's HTTP/1.1 connections). */
  readonly adopt?: boolean | undefined;
}

export class Http1Server extends EventEmitter implements ConnectionHost {
  readonly maxHeaderSize: number;
  readonly maxHeaderFields: number;
  /** close() was called: every response head from now on says `Connection: close`. */
  draining = false;
  /** Milliseconds from a request's first byte (or a new connection) to the end of its head: 408 after. */
  headersTimeout = 60_000;
  /** Milliseconds an idle keep-alive connection stays open. */
  keepAliveTimeout = 5_000;
  /** Milliseconds without a byte either way, while a request is in progress, before the connection is cut. */
  timeout = 0;
  /** Plain frontends' listening socket; none when the server adopts sockets accepted elsewhere. */
  private readonly net: Server | undefined;
  private readonly connections = new Set<Http1Connection>();
  /** Adopting, after close(): called once the last connection has closed. */
  private closed: ((error?: Error) => void) | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private sweepEvery = 0;

  constructor(options: Http1ServerOptions) {
    super();
    const missing = nativeParserMissing();
    if (missing !== undefined) throw new Error(`${missing}; serve this frontend with node:http (server: node)`);
    this.maxHeaderSize = options.maxHeaderSize;
    this.maxHeaderFields = options.maxHeaderFields ?? DEFAULT_MAX_HEADER_FIELDS;
    if (options.adopt === true) return;
    // half-open: a client that shuts its side after the request still gets the answer
    this.net = createServer({ allowHalfOpen: true, noDelay: true }, this.onConnection);
    this.net.on('error', (error) => this.emit('error', error));
    this.net.on('close', () => this.stopSweep());
  }

  /**
   * Client connections open at once; one more is closed as it is accepted (net.Server's maxConnections).
   * An adopting server has no limit of its own: the listener that accepts the sockets has it.
   */
  get maxConnections(): number {
    return this.net?.maxConnections ?? Infinity;
  }

  set maxConnections(value: number) {
    if (this.net !== undefined) this.net.maxConnections = value;
  }

  get keepAliveSeconds(): number {
    return Math.max(1, Math.floor(this.keepAliveTimeout / 1000));
  }

  private readonly onConnection = (socket: Socket): void => {
    this.startSweep();
    this.emit('connection', socket);
    if (socket.destroyed) return;
    this.connections.add(new Http1Connection(this, socket));
  };

  /**
   * Serves a socket accepted elsewhere (an adopting server's only source of connections): a TLSSocket after
   * its handshake. No 'connection' event: the listener that accepted it emitted its own.
   */
  accept(socket: Socket): void {
    if (this.net !== undefined) throw new Error('accept() is for an adopting Http1Server (adopt: true)');
    if (socket.destroyed) return;
    this.startSweep();
    this.connections.add(new Http1Connection(this, socket));
  }

  onRequest(req: Http1Request, res: Http1Response): void {
    this.emit('request', req, res);
  }

  onClientError(error: Error & { code?: string }, socket: Socket): void {
    if (this.listenerCount('clientError') > 0) this.emit('clientError', error, socket);
    else socket.destroy();
  }

  connectionClosed(connection: Http1Connection): void {
    this.connections.delete(connection);
    if (this.connections.size === 0 && this.closed !== undefined) {
      const closed = this.closed;
      this.closed = undefined;
      closed();
    }
  }

  listen(options: ListenOptions, callback: () => void): this {
    if (this.net === undefined) throw new Error('an adopting Http1Server does not listen: its sockets come from accept()');
    this.net.listen(options, callback);
    return this;
  }

  address(): AddressInfo | string | null {
    return this.net === undefined ? null : this.net.address();
  }

  /**
   * Stops accepting; `callback` runs once every connection has closed. Idle connections close now; every
   * response head written from now on says `Connection: close`, so a busy connection closes after it.
   * Adopting, a socket accepted later is still served (its answers say `Connection: close`).
   */
  close(callback?: (error?: Error) => void): this {
    this.draining = true;
    if (this.net !== undefined) this.net.close(callback);
    else if (callback !== undefined) {
      if (this.connections.size === 0) process.nextTick(callback);
      else this.closed = callback;
    }
    this.closeIdleConnections();
    return this;
  }

  closeIdleConnections(): void {
    for (const connection of this.connections) if (connection.idle) connection.socket.destroy();
  }

  closeAllConnections(): void {
    for (const connection of this.connections) connection.socket.destroy();
  }

  /** The sweep runs at a quarter of the shortest timeout (25 ms to 1 s) while the server has connections. */
  private startSweep(): void {
    const shortest = Math.min(this.headersTimeout || Infinity, this.keepAliveTimeout || Infinity, this.timeout || Infinity);
    const every = Math.max(25, Math.min(1_000, Math.floor(shortest / 4)));
    if (this.sweep !== undefined && every === this.sweepEvery) return;
    this.stopSweep();
    this.sweepEvery = every;
    this.sweep = setInterval(this.check, every);
    this.sweep.unref();
  }

  private stopSweep(): void {
    if (this.sweep !== undefined) clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private readonly check = (): void => {
    const now = Date.now();
    if (this.connections.size === 0) {
      this.stopSweep();
      return;
    }
    for (const connection of this.connections) {
      switch (connection.phase) {
        case Phase.Idle:
          if (this.keepAliveTimeout > 0 && now - connection.since >= this.keepAliveTimeout) connection.timedOut(false);
          break;
        case Phase.Head:
          if (this.headersTimeout > 0 && now - connection.since >= this.headersTimeout) connection.timedOut(true);
          break;
        case Phase.Busy:
          if (this.timeout > 0 && now - connection.lastActive >= this.timeout) connection.timedOut(false);
          break;
      }
    }
  };
}
